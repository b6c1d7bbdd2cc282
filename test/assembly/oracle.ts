/**
 * The shared reference cases (computed by Golly, see the oracle's README): loading, and how
 * an unbounded case is placed on a bounded grid.
 *
 * The file lives beside the repository (../shared/oracle/cases.json from the repo root), in
 * CI too. When it is missing, CI fails; elsewhere the oracle tests are skipped with a message.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface OracleBBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface OracleCheckpoint {
  gen: number;
  population: number;
  bbox: OracleBBox | null;
  bbox_sha256: string | null;
  sha256?: string;
}

export interface OracleCase {
  name: string;
  pattern: string;
  rule: string;
  golly_rule: string;
  topology: "torus" | "bounded_plane" | "unbounded";
  width: number | null;
  height: number | null;
  rle: string;
  checkpoints: OracleCheckpoint[];
  pop_series: number[];
  notes?: string;
}

export const ORACLE_CASES_PATH = resolve(process.cwd(), "../shared/oracle/cases.json");

/** The cases, or a reason why there are none here (an error in CI). */
export function loadOracleCases(): { cases: OracleCase[] } | { missing: string } {
  if (!existsSync(ORACLE_CASES_PATH)) {
    const missing = `oracle cases not found at ${ORACLE_CASES_PATH}; clone the shared oracle beside the repository to run these tests`;
    if (process.env.CI) throw new Error(missing);
    return { missing };
  }
  return { cases: JSON.parse(readFileSync(ORACLE_CASES_PATH, "utf8")) as OracleCase[] };
}

/**
 * Cells left dead around everything an unbounded case ever shows at a checkpoint. Between
 * checkpoints a pattern could reach further than the union of checkpoint boxes; escaping
 * gliders and spaceships only move outward, so the final boxes bound them, and debris stays
 * well inside. 16 cells is far more than any of the cases' in-between excursions.
 */
export const UNBOUNDED_MARGIN = 16;

/**
 * The bounded plane an unbounded case runs on: big enough for the union of its generation-0
 * pattern (`patternWidth` × `patternHeight` at 0,0) and every checkpoint's box, plus margin.
 * `offsetX/offsetY` is where pattern cell (0, 0) goes; oracle coordinates = grid − offset.
 */
export function unboundedPlacement(
  oracleCase: OracleCase,
  patternWidth: number,
  patternHeight: number,
): { width: number; height: number; offsetX: number; offsetY: number } {
  let minX = 0;
  let minY = 0;
  let maxX = patternWidth - 1;
  let maxY = patternHeight - 1;
  for (const { bbox } of oracleCase.checkpoints) {
    if (!bbox) continue;
    minX = Math.min(minX, bbox.x);
    minY = Math.min(minY, bbox.y);
    maxX = Math.max(maxX, bbox.x + bbox.width - 1);
    maxY = Math.max(maxY, bbox.y + bbox.height - 1);
  }
  return {
    width: maxX - minX + 1 + 2 * UNBOUNDED_MARGIN,
    height: maxY - minY + 1 + 2 * UNBOUNDED_MARGIN,
    offsetX: UNBOUNDED_MARGIN - minX,
    offsetY: UNBOUNDED_MARGIN - minY,
  };
}

/** "glider on a 64×64 torus", "acorn on the unbounded plane", … */
export function describeCase(oracleCase: OracleCase): string {
  const pattern = oracleCase.pattern.replaceAll("_", " ");
  const size = `${oracleCase.width}×${oracleCase.height}`;
  const where =
    oracleCase.topology === "torus"
      ? `a ${size} torus`
      : oracleCase.topology === "bounded_plane"
        ? `a dead-edged ${size} plane`
        : "the unbounded plane";
  return `${pattern} under ${oracleCase.rule} on ${where}`;
}
