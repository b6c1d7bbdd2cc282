// The Wasm module's exports: the grid (grid.ts), the rule (rules.ts), the kernels (step.ts),
// the zoomed-out reads (overview.ts) and the fingerprints (sha256.ts). common/engine.ts is the
// one typed wrapper over them.
export {
  init, setTopology, ioReserve, setCells, getCell, stamp, readRect, clear, randomize,
  population, bbox, clearChanges, markChanged,
} from "./grid";
export { readOverview, readDensity } from "./overview";
export { setRule } from "./rules";
export { step } from "./step";
export { sha256Grid, sha256BBox, sha256Io } from "./sha256";
import { changeMap, tilesX as tileColumns, tilesY as tileRows } from "./grid";

export function tilesX(): i32 {
  return tileColumns;
}
export function tilesY(): i32 {
  return tileRows;
}
export function changeMapPtr(): usize {
  return changeMap;
}
export function hasSimd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
