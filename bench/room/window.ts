/**
 * One measured window of a load: its rooms run from resume to pause, every arrival at every
 * client is recorded, and the window becomes a LoadResult: tick intervals, spread, late and
 * missed ticks, bytes and messages per client, and what the server and the clients' process cost.
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { CreatedRoom } from "../../common/protocol/index.ts";
import { delay } from "../harness.ts";
import { type StatusLine, type Summary, summarize } from "../report.ts";
import type { Client, ConnectTimes, Counters, RoomRecord } from "./client.ts";
import { LoadProbe, type ProcessLoad } from "./probe.ts";
import { type Server, control } from "./server.ts";
import { CONFIG, type Storage, TICK_MS } from "./settings.ts";

export interface LoadResult {
  name: string;
  /** Whether the clients predicted (STEP frames) or were plain (DELTA frames). */
  clientMode: "predicting" | "plain";
  /** Where the server kept its storage (see STORAGE). */
  storage: Storage;
  /** What the verifying clients found: STEP frames run, checksums checked, views lost. */
  verified: Counters["verified"];
  rooms: number;
  clientsPerRoom: number;
  clients: number;
  windowMs: number;
  connect: { openMs: Summary | null; joinMs: Summary | null; totalSeconds: number };
  /** Generations that first arrived inside the window, summed over rooms. */
  ticks: number;
  ticksPerSecondPerRoom: number;
  /** Ticks a room should have run in the window at TICK_MS, summed over rooms. */
  nominalTicks: number;
  intervalMs: Summary | null;
  lateTicks: number;
  missedTicks: number;
  /** When the generation after each missed tick arrived (ms into the window), in order. */
  missedAtMs: number[];
  /** Distinct moments at which ticks were missed: misses of several rooms within one nominal
   *  interval of each other are one stall (of the server's thread, its proxy, or the clients'
   *  process), not independent misses. */
  stalls: number;
  spreadMs: Summary | null;
  /** Share of (generation, client) pairs that arrived: < 1 when a view did not change or flow control held frames. */
  deliveredShare: number;
  bytesPerClientPerSecond: number;
  messagesPerClientPerSecond: number;
  /** CPU of the Worker's runtime (all rooms) and of wrangler's proxy, as shares of one core. */
  workerCpuShare: number | null;
  proxyCpuShare: number | null;
  /** The runtime's CPU time per tick (summed over rooms): step + encode + send + the runtime's own work. */
  workerCpuMsPerTick: number | null;
  generationsPerSecondFromStats: Summary | null;
  load: ProcessLoad;
  /** wrangler dev reloaded the Worker during the load: the numbers are disturbed. */
  reloaded: boolean;
  /** Clients whose socket was no longer open at the end of the window (the server closed or lost it). */
  droppedClients: number;
  /** 1, or 2 when the first attempt was disturbed (a reload, a dropped client) and the load ran again. */
  attempts: number;
  /** Per room (single-room loads only): [generation, first arrival ms after the window start, last arrival, clients]. */
  arrivals?: [number, number, number, number][];
  errors: string[];
  closeCodes: Record<string, number>;
}

/** Runs `rooms` (already randomized and connected) from resume to pause and measures the window. */
export async function measureWindow(
  server: Server,
  reloadsAtStart: number,
  name: string,
  rooms: readonly { room: CreatedRoom; record: RoomRecord; clients: readonly Client[] }[],
  counters: Counters,
  times: ConnectTimes,
  connectSeconds: number,
  status: StatusLine,
): Promise<LoadResult> {
  await Promise.all(rooms.map((r) => control(server, r.room, { action: "resume" })));
  await delay(CONFIG.warmupMs);
  const probe = new LoadProbe(server);
  const start = performance.now();
  counters.recording = true;
  const ticker = setInterval(() => {
    const seen = rooms.reduce((n, r) => n + [...r.record.arrivals.values()].filter((a) => a.first >= start).length, 0);
    status.update(`  ${name}: measuring ${((performance.now() - start) / 1000).toFixed(0)}/${CONFIG.windowMs / 1000} s, ${seen} ticks seen`);
  }, 500);
  await delay(CONFIG.windowMs);
  const end = performance.now();
  counters.recording = false;
  clearInterval(ticker);
  const load = probe.finish();
  const reloaded = server.reloads() !== reloadsAtStart || load.serverRestarted;
  const dropped = rooms.reduce((n, r) => n + r.clients.filter((c) => c.ws.readyState !== WebSocket.OPEN).length, 0);
  await Promise.all(rooms.map((r) => control(server, r.room, { action: "pause" })));

  const intervals: number[] = [];
  const spreads: number[] = [];
  let ticks = 0;
  let delivered = 0;
  let expectedDeliveries = 0;
  const gps: number[] = [];
  /** When each missed tick's generation finally arrived, in ms into the window. */
  const missedAt: number[] = [];
  for (const { record, clients } of rooms) {
    const gens = [...record.arrivals.entries()].filter(([, a]) => a.first >= start && a.first < end).sort((a, b) => a[0] - b[0]);
    ticks += gens.length;
    for (let i = 1; i < gens.length; i++) {
      if (gens[i][0] !== gens[i - 1][0] + 1) continue;
      const interval = gens[i][1].first - gens[i - 1][1].first;
      intervals.push(interval);
      if (interval >= 2 * TICK_MS) missedAt.push(gens[i][1].first - start);
    }
    for (const [, a] of gens) {
      delivered += a.count;
      expectedDeliveries += clients.length;
      if (a.count === clients.length && clients.length > 1) spreads.push(a.last - a.first);
    }
    gps.push(...record.gpsFromStats);
  }
  const seconds = (end - start) / 1000;
  const clients = rooms.reduce((n, r) => n + r.clients.length, 0);
  return {
    name,
    clientMode: rooms.some((r) => r.clients.some((c) => c.mode !== "plain")) ? "predicting" : "plain",
    storage: server.storage,
    verified: counters.verified,
    rooms: rooms.length,
    clientsPerRoom: rooms[0]?.clients.length ?? 0,
    clients,
    windowMs: end - start,
    connect: { openMs: summarize(times.openMs), joinMs: summarize(times.joinMs), totalSeconds: connectSeconds },
    ticks,
    ticksPerSecondPerRoom: ticks / rooms.length / seconds,
    nominalTicks: Math.floor((end - start) / TICK_MS) * rooms.length,
    intervalMs: summarize(intervals),
    lateTicks: intervals.filter((v) => v > 1.5 * TICK_MS).length,
    missedTicks: intervals.filter((v) => v >= 2 * TICK_MS).length,
    missedAtMs: missedAt.sort((a, b) => a - b).map((t) => +t.toFixed(1)),
    stalls: stalls(missedAt),
    spreadMs: summarize(spreads),
    deliveredShare: expectedDeliveries ? delivered / expectedDeliveries : 0,
    bytesPerClientPerSecond: counters.bytes / clients / seconds,
    messagesPerClientPerSecond: counters.messages / clients / seconds,
    workerCpuShare: load.workerCpuSeconds === null ? null : load.workerCpuSeconds / seconds,
    proxyCpuShare: load.proxyCpuSeconds === null ? null : load.proxyCpuSeconds / seconds,
    workerCpuMsPerTick: load.workerCpuSeconds === null || ticks === 0 ? null : (load.workerCpuSeconds * 1000) / ticks,
    generationsPerSecondFromStats: summarize(gps),
    load,
    reloaded,
    droppedClients: dropped,
    attempts: 1,
    ...(rooms.length === 1
      ? {
          arrivals: [...rooms[0].record.arrivals.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([g, a]): [number, number, number, number] => [g, +(a.first - start).toFixed(2), +(a.last - start).toFixed(2), a.count]),
        }
      : {}),
    errors: counters.errors,
    closeCodes: Object.fromEntries([...counters.closes].map(([code, n]) => [String(code), n])),
  };
}

/** Groups sorted miss times into moments: a new moment starts more than a tick after the last. */
function stalls(times: number[]): number {
  let count = 0;
  let last = -Infinity;
  for (const t of [...times].sort((a, b) => a - b)) {
    if (t - last > TICK_MS) count++;
    last = t;
  }
  return count;
}
