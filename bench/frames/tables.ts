/**
 * The frames suite's tables: bytes per generation against the baselines and the alternatives,
 * the predicting clients' frames, milliseconds per frame, keyframes, and the zoomed-out view with
 * one bit against two bits per scaled cell.
 */
import { formatTable } from "../harness.ts";
import { formatInt, formatMs, formatPercent, max, mean, median } from "../report.ts";
import type { OverviewResult } from "./overview.ts";
import type { PredictedResult } from "./predicted.ts";
import type { SceneResult } from "./scene-result.ts";

export function gridLabel(r: SceneResult): string {
  return r.view.scale === 1 ? `${r.side}²` : `${r.side}² @1/${r.view.scale}`;
}

/** Binary entropy in bits: the order-0 floor, per cell, for coding which cells changed. */
function entropyBits(p: number): number {
  return p <= 0 || p >= 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

/** The order-0 entropy of the changed cells of the view, in bytes per generation. */
function changeEntropyBytes(r: SceneResult): number {
  const cells = r.view.width * r.view.height;
  return mean(r.changedCells.map((n) => (cells * entropyBits(n / cells)) / 8));
}

export function bytesTable(results: readonly SceneResult[]): string {
  return formatTable(
    ["grid (view)", "scene", "tiles chg/gen", "resent same", "raw B/gen", "JSON B/gen", "room B/gen", "% raw", "worst", "DEFL/tile", "DEFL/frame", "XOR+RUNS", "XOR+DEFL", "H(chg)", "room/JSON"],
    results.map((r) => {
      const raw = r.rawBytesPerGeneration;
      const room = mean(r.roomBytes);
      const json = mean(r.jsonBytes);
      const changed = r.changedTiles.reduce((a, b) => a + b, 0);
      const redundant = r.redundantTiles.reduce((a, b) => a + b, 0);
      return [
        gridLabel(r),
        r.label,
        `${formatInt(mean(r.changedTiles))}/${formatInt(r.view.tiles)}`,
        changed ? formatPercent(redundant / changed, 0) : "—",
        formatInt(raw),
        formatInt(json),
        formatInt(room),
        formatPercent(room / raw),
        formatPercent(max(r.roomBytes) / raw),
        formatPercent(mean(r.deflateBytes) / raw),
        formatPercent(mean(r.deflateFrameBytes) / raw),
        formatPercent(mean(r.xorRunsBytes) / raw),
        formatPercent(mean(r.xorDeflateFrameBytes) / raw),
        formatPercent(changeEntropyBytes(r) / raw),
        json > 2 ? formatPercent(room / json, 2) : "—",
      ];
    }),
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
  );
}

export function msTable(results: readonly SceneResult[]): string {
  const m = (values: readonly number[]) => formatMs(median(values));
  return formatTable(
    ["grid (view)", "scene", "step", "room delta", "+viewer", "RUNS enc", "RUNS dec", "DEFL stream enc", "DEFL stream dec", "DEFL zlib enc", "DEFL zlib dec", "JSON enc", "JSON dec"],
    results.map((r) => [
      gridLabel(r),
      r.label,
      m(r.ms.step),
      m(r.ms.roomDelta),
      m(r.ms.perExtraViewer),
      m(r.ms.runsEncode),
      m(r.ms.runsDecode),
      m(r.ms.deflateStreamEncode),
      m(r.ms.deflateStreamDecode),
      m(r.ms.deflateSyncEncode),
      m(r.ms.deflateSyncDecode),
      m(r.ms.jsonEncode),
      m(r.ms.jsonDecode),
    ]),
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  );
}

export function keyframeTable(results: readonly SceneResult[]): string {
  return formatTable(
    ["grid (view)", "scene", "raw B", "RUNS B", "% raw", "DEFLATE B", "% raw", "RUNS enc", "RUNS dec", "DEFL enc", "DEFL dec"],
    results.map((r) => {
      const k = r.keyframe;
      return [
        gridLabel(r),
        r.label,
        formatInt(k.rawBytes),
        formatInt(k.runsBytes),
        formatPercent(k.runsBytes / k.rawBytes),
        formatInt(k.deflateBytes),
        formatPercent(k.deflateBytes / k.rawBytes),
        formatMs(k.runsEncodeMs),
        formatMs(k.runsDecodeMs),
        formatMs(k.deflateStreamEncodeMs),
        formatMs(k.deflateStreamDecodeMs),
      ];
    }),
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]),
  );
}

/** The predicted rows of a scene: the whole view's, or the partial one's. */
export function predictedOf(r: SceneResult | undefined, whole: boolean): PredictedResult | undefined {
  return r?.predicted.find((p) => p.whole === whole);
}

export function predictedLabel(r: SceneResult, p: PredictedResult): string {
  return p.whole ? `${r.side}²` : `${r.side}² (${p.view.width}² at ${p.view.x},${p.view.y})`;
}

export function predictedTable(results: readonly SceneResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const p of r.predicted) {
      const raw = p.rawBytesPerGeneration;
      const f = p.frames;
      rows.push([
        predictedLabel(r, p),
        r.label,
        formatInt(raw),
        formatInt(mean(p.jsonBytes)),
        formatInt(mean(p.deltaBytes)),
        formatPercent(mean(p.deltaBytes) / raw),
        formatInt(mean(p.bytes)),
        formatPercent(mean(p.bytes) / raw, 2),
        formatPercent(max(p.bytes) / raw, 2),
        `${f.step}/${f.relabel}/${f.delta}/${f.none}`,
        formatMs(median(p.ms.server)),
        formatMs(median(p.ms.perExtraViewer)),
        formatMs(median(p.ms.client)),
        `${p.verified}/${p.bytes.length}`,
      ]);
    }
  }
  return formatTable(
    ["grid (view)", "scene", "raw B/gen", "JSON B/gen", "plain B/gen", "% raw", "predicted B/gen", "% raw", "worst", "STEP/relabel/DELTA/none", "room ms", "+viewer", "client ms", "exact"],
    rows,
    new Set([2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13]),
  );
}

/** Zoomed-out views: one bit per scaled cell (before) beside 2-bit density levels (after). */
export function overviewTable(results: readonly OverviewResult[]): string {
  const ratio = (after: number, before: number) => (before > 0 ? `${(after / before).toFixed(2)}×` : "—");
  return formatTable(
    ["grid (view)", "scene", "tiles chg/gen", "raw 1-bit B", "raw 2-bit B", "keyframe 1-bit B", "keyframe 2-bit B", "×", "DELTA 1-bit B/gen", "DELTA 2-bit B/gen", "×", "read 1-bit", "read 2-bit"],
    results.map((r) => {
      const bit = mean(r.delta.map((d) => d.bit));
      const levels = mean(r.delta.map((d) => d.levels));
      return [
        `${r.side}² @1/${r.scale}`,
        r.label,
        `${formatInt(mean(r.changedTiles))}/${formatInt(r.view.tiles)}`,
        formatInt(r.raw.bit),
        formatInt(r.raw.levels),
        formatInt(r.keyframe.bit),
        formatInt(r.keyframe.levels),
        ratio(r.keyframe.levels, r.keyframe.bit),
        formatInt(bit),
        formatInt(levels),
        ratio(levels, bit),
        formatMs(r.readMs.bit),
        formatMs(r.readMs.levels),
      ];
    }),
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  );
}
