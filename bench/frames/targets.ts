/**
 * What the frames suite concludes: its targets, checked against the measured numbers, and which
 * codec wins per byte and per millisecond.
 */
import { encodeServerMessage } from "../../common/protocol/index.ts";
import { type TargetCheck, formatInt, formatPercent, max, mean, median } from "../report.ts";
import type { SceneResult } from "./scene-result.ts";
import type { SceneId } from "./scenes.ts";
import { SOUP_AGE } from "./settings.ts";
import { predictedLabel, predictedOf } from "./tables.ts";

export function targets(results: readonly SceneResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const find = (side: number, scene: SceneId) => results.find((r) => r.side === side && r.scene === scene && r.view.scale === 1);
  const share = (bytes: readonly number[], raw: number) => `worst ${formatPercent(max(bytes) / raw, 2)}, mean ${formatPercent(mean(bytes) / raw, 2)}`;

  // The web client predicts whenever it views at scale 1 (a whole 1024² room is one), so the
  // targets are judged on the predicted rows; a plain client's DELTA frames are shown beside them.
  const unchanging = results.filter((r) => r.scene === "still" || r.scene === "empty");
  const deltaBytes = unchanging.reduce((sum, r) => sum + r.roomBytes.reduce((a, b) => a + b, 0), 0);
  const predictedBytes = unchanging.reduce((sum, r) => sum + r.predicted.reduce((s, p) => s + p.bytes.reduce((a, b) => a + b, 0), 0), 0);
  const statsBytes = encodeServerMessage({ type: "stats", generation: 0, population: 0, generationsPerSecond: 0, players: 1, running: true, still: true }).length;
  checks.push({
    target: "a running grid that does not change sends nothing but STATS",
    measured: unchanging.length
      ? `${formatInt(predictedBytes)} B of STEP to predicting clients and ${formatInt(deltaBytes)} B of DELTA to plain ones in ` +
        `${unchanging.reduce((s, r) => s + r.generations, 0)} generations of ${unchanging.length} unchanging scenes (STATS is ${statsBytes} B)`
      : "no unchanging scene in this run",
    met: unchanging.length ? deltaBytes === 0 && predictedBytes === 0 : null,
  });

  for (const [side, scene, limit, what] of [
    [1024, "soup-1000", 0.15, `1024² soup after ${formatInt(SOUP_AGE)} generations ≤ 15% of raw per generation`],
    [1024, "soup-fresh", 0.6, "fresh 1024² 50% soup ≤ 60% of raw per generation"],
    [4096, "soup-fresh", 0.6, "fresh 4096² 50% soup ≤ 60% of raw per generation"],
  ] as const) {
    const r = find(side, scene);
    const p = predictedOf(r, true);
    if (!r || !p) {
      if (side === 1024) checks.push({ target: what, measured: "not measured", met: null });
      continue;
    }
    const partial = predictedOf(r, false);
    checks.push({
      target: what,
      measured:
        `predicting client (the web client at scale 1): ${share(p.bytes, p.rawBytesPerGeneration)} over ${r.generations} generations; ` +
        (partial ? `a ${partial.view.width}² view: ${share(partial.bytes, partial.rawBytesPerGeneration)}; ` : "") +
        `a plain client's DELTA: ${share(r.roomBytes, r.rawBytesPerGeneration)}`,
      met: max(p.bytes) / p.rawBytesPerGeneration <= limit,
    });
  }

  const comparable = results.flatMap((r) => r.predicted.filter((p) => mean(p.jsonBytes) > 2).map((p) => ({ r, p })));
  const worst = comparable.reduce<{ ratio: number; label: string }>(
    (acc, { r, p }) => {
      const ratio = max(p.bytes.map((b, i) => b / p.jsonBytes[i]));
      return ratio > acc.ratio ? { ratio, label: `${predictedLabel(r, p)}, ${r.label}` } : acc;
    },
    { ratio: 0, label: "" },
  );
  const plain = results.filter((r) => mean(r.jsonBytes) > 2).reduce((acc, r) => Math.max(acc, max(r.roomBytes.map((b, i) => b / r.jsonBytes[i]))), 0);
  checks.push({
    target: "always far below the JSON live-cell list (here: ≤ 10% of it in every generation)",
    measured: comparable.length
      ? `predicting clients: worst ${formatPercent(worst.ratio, 2)} of JSON (${worst.label}); plain clients' DELTA: worst ${formatPercent(plain, 2)}`
      : "not measured",
    met: comparable.length ? worst.ratio <= 0.1 : null,
  });

  const predictedAll = results.flatMap((r) => r.predicted);
  const verified = predictedAll.reduce((n, p) => n + p.verified, 0);
  const measured = predictedAll.reduce((n, p) => n + p.bytes.length, 0);
  checks.push({
    target: "a predicting client holds exactly the room's cells in every generation",
    measured: `${verified} of ${measured} client-generations exact, over ${predictedAll.length} views`,
    met: measured ? verified === measured : null,
  });
  return checks;
}

/** Which codec wins, per byte and per millisecond, over the scenes where tiles were sent. */
export function codecVerdict(results: readonly SceneResult[]): string[] {
  const sent = results.filter((r) => r.roomBytes.some((b) => b > 0));
  if (sent.length === 0) return ["no scene sent tiles; no codec verdict"];
  const roomTotal = sent.reduce((s, r) => s + mean(r.roomBytes), 0);
  const deflateTotal = sent.reduce((s, r) => s + mean(r.deflateBytes), 0);
  const deflateSmaller = sent.filter((r) => mean(r.deflateBytes) < mean(r.roomBytes));
  const lines = [
    `per byte: DEFLATE is smaller in ${deflateSmaller.length} of ${sent.length} scenes that send tiles; summed over them, ` +
      `RUNS|NONE sends ${formatInt(roomTotal)} B/gen and DEFLATE ${formatInt(deflateTotal)} B/gen (${formatPercent(deflateTotal / roomTotal, 0)} of RUNS).`,
  ];
  const ratio = (pick: (r: SceneResult) => [number[], number[]]) => {
    const ratios = sent
      .map((r) => {
        const [a, b] = pick(r);
        const ma = median(a);
        const mb = median(b);
        return ma !== null && mb !== null && ma > 0 ? mb / ma : null;
      })
      .filter((v): v is number => v !== null);
    return ratios.length ? { low: Math.min(...ratios), high: Math.max(...ratios), n: ratios.length } : null;
  };
  const describe = (name: string, range: { low: number; high: number; n: number } | null) =>
    range ? `${name} ${range.low.toFixed(1)}–${range.high.toFixed(1)}× the RUNS time (${range.n} scenes)` : `${name} not measured`;
  lines.push(
    `per ms (codec only, median per frame): ${describe("DEFLATE via CompressionStream takes", ratio((r) => [r.ms.runsEncode, r.ms.deflateStreamEncode]))} to encode, ` +
      `${describe("", ratio((r) => [r.ms.runsDecode, r.ms.deflateStreamDecode])).trim()} to decode; ` +
      `${describe("via zlib's sync call", ratio((r) => [r.ms.runsEncode, r.ms.deflateSyncEncode]))} to encode.`,
  );
  const keyframes = results.filter((r) => r.keyframe.runsBytes > 0);
  const kfDeflate = keyframes.reduce((s, r) => s + r.keyframe.deflateBytes, 0);
  const kfRuns = keyframes.reduce((s, r) => s + r.keyframe.runsBytes, 0);
  lines.push(`keyframes (one whole view, one stream call): DEFLATE totals ${formatPercent(kfDeflate / kfRuns, 0)} of RUNS' bytes over ${keyframes.length} scenes.`);
  return lines;
}
