/**
 * How many players and rooms does one server hold? Starts the real server (`wrangler dev` on a
 * free loopback port, with its own temporary storage, running a copy of the Worker's sources
 * taken at the start so that an edit in the checkout cannot reload it mid-load), then drives it
 * with real `ws` clients that speak the room protocol as the web client does (HELLO, VIEWPORT,
 * RECEIVED), except that they acknowledge every RECEIVED_EVERY_FRAMES (8) frames, the least the
 * protocol asks, where the web client acknowledges every frame it has handled:
 *
 *   one room    1, 10, 100 and 500 clients (quick: 1, 10, 100), 20 ticks/s
 *   many rooms  50 rooms × 4 clients (quick: 8 × 4), 20 ticks/s each
 *   idle room   one client, an empty running grid: what does the server still send?
 *
 * Clients predict (lockstep, common/lockstep/), as the web client does at scale 1: every client
 * sets HELLO's predict flag, so the room builds exactly the STEP frames it builds for real
 * predicting clients, and every client receives and acknowledges them. A few clients per room (see
 * VERIFIERS) also run the engine on them and check their checksums, as a browser would; the others
 * only count and acknowledge frames, because a real browser has its own CPU and 500 engines in this
 * one Node process, on the server's machine, would measure the bench rather than the server (the
 * arrival time of a frame is taken before any client work either way). The full run repeats the
 * largest loads with plain clients (no prediction: DELTA frames, as before) for comparison.
 *
 * Every room is a 1024² torus running Life on a 50% soup (re-seeded at the start of each load,
 * so every load sees the same soup at the same ages), one generation per tick, tickMs 50. Each
 * client views a 128×128 window (4 tiles) at a seeded tile-aligned position, so frames are a few
 * hundred bytes to 2 KiB (DELTA) or about 90 bytes (STEP) and the load measures the room's per-tick
 * fan-out rather than the loopback's bandwidth.
 *
 * What is measured, per load, over a fixed window after a warm-up:
 *   - tick interval: the time between the first arrival of generation g and of g+1 at any of
 *     the room's clients (the protocol does not carry the server's own tick times);
 *   - spread: last arrival minus first arrival of a generation, over generations every client
 *     received — the delay from a tick to the last client, as seen by the clients;
 *   - ticks/s achieved against the nominal 20, late ticks (interval > 1.5× nominal) and missed
 *     ticks (interval ≥ 2× nominal: a whole slot without a tick);
 *   - bytes and messages per client per second (WebSocket payloads, without framing);
 *   - connect time: socket open, and open + HELLO → WELCOME + first KEYFRAME;
 *   - the server's CPU from Linux /proc: the workerd that runs the rooms (per tick: step +
 *     encode + send + the runtime's own work, since the protocol carries no per-tick server
 *     time), how much of the window its busiest thread ran and waited for a CPU, what it wrote to
 *     disk, and the CPU of wrangler's local proxy;
 *   - the client process's own load (event-loop utilisation and delay, CPU): every client runs in
 *     this one Node process on the same machine as the server, so when it saturates, arrival
 *     times include its queueing, and the numbers say so.
 *
 * A load disturbed by a reload or a dropped socket runs once more; the result says so.
 *
 *   node scripts/ts.mjs bench/room.ts [--quick] [--loads=one,many,idle] [--no-compare] [--storage=disk]
 *
 * `--loads` runs only the named loads (one room, many rooms, the idle room; all by default) and
 * `--no-compare` skips the full run's comparisons (plain clients; the many-rooms load on disk),
 * for looking at one number without waiting for the others; the targets of loads not run say so.
 * `--storage=disk` keeps the server's storage on disk rather than in RAM (see STORAGE).
 *
 * Every load is bounded in clients and time, every wait has a timeout, and the server's process
 * group is killed at the end, on errors and on Ctrl-C. Loopback only.
 *
 * This file holds the loads and the report; its pieces are in bench/room/: settings.ts (sizes,
 * seeds, flags), server.ts (the server under load and the HTTP calls to it), client.ts (the
 * protocol client), probe.ts (the server's CPU and disk, the clients' event loop) and window.ts
 * (one measured window, into a LoadResult).
 */
import { performance } from "node:perf_hooks";
import { type CreatedRoom, ServerType } from "../common/protocol/index.ts";
import { MAX_CONNECTIONS_PER_ROOM, ROOM_CREATION_BURST } from "../common/protocol/index.ts";
import {
  type ChartSeries,
  SOUP_SEED,
  delay,
  describeMachine,
  formatTable,
  lineChartSvg,
  machineInfo,
  progress,
  writeResultFile,
  writeResults,
} from "./harness.ts";
import { type LoadAverage, type Summary, type TargetCheck, StatusLine, describeLoad, formatMs, loadAverage, verdict } from "./report.ts";
import { type Client, type ConnectTimes, RoomRecord, closeClients, connectClients, loadVerifierEngine, newCounters } from "./room/client.ts";
import { type Server, control, createRoom, startServer, stopActiveServer } from "./room/server.ts";
import {
  COMPARE,
  CONFIG,
  CONNECT_CONCURRENCY,
  DENSITY,
  GRID_SIDE,
  QUICK,
  SELECTED,
  STORAGE,
  STORAGE_LABEL,
  TICK_MS,
  VERIFIERS,
  VIEW_SEED,
  VIEW_SIDE,
} from "./room/settings.ts";
import { type LoadResult, measureWindow } from "./room/window.ts";

// ---------------------------------------------------------------------------------------------
// The loads

async function oneRoom(server: Server, room: CreatedRoom, clientCount: number, status: StatusLine, plain = false): Promise<LoadResult> {
  const name = `1 room × ${clientCount}${plain ? ", plain" : ""}${server.storage !== STORAGE ? `, ${server.storage}` : ""}`;
  const record = new RoomRecord();
  const counters = newCounters();
  const times: ConnectTimes = { openMs: [], joinMs: [] };
  const reloadsAtStart = server.reloads();
  // Connect to an empty grid, so the keyframe every HELLO brings (the whole grid) is tiny.
  await control(server, room, { action: "clear" });
  const t = performance.now();
  const clients: Client[] = [];
  try {
    await connectClients(
      server,
      room,
      record,
      counters,
      clientCount,
      VIEW_SEED,
      times,
      clients,
      (done) => status.update(`  ${name}: connecting ${done}/${clientCount}`),
      plain,
    );
    const connectSeconds = (performance.now() - t) / 1000;
    await control(server, room, { action: "randomize", density: DENSITY, seed: SOUP_SEED });
    return await measureWindow(server, reloadsAtStart, name, [{ room, record, clients }], counters, times, connectSeconds, status);
  } finally {
    await closeClients(clients);
  }
}

async function manyRooms(server: Server, count: number, perRoom: number, tag: string, status: StatusLine, plain = false): Promise<LoadResult> {
  const name = `${count} rooms × ${perRoom}${plain ? ", plain" : ""}${server.storage !== STORAGE ? `, ${server.storage}` : ""}`;
  const counters = newCounters();
  const times: ConnectTimes = { openMs: [], joinMs: [] };
  const rooms: { room: CreatedRoom; record: RoomRecord; clients: Client[] }[] = [];
  const reloadsAtStart = server.reloads();
  try {
    for (let i = 0; i < count; i++) {
      status.update(`  ${name}: creating room ${i + 1}/${count}`);
      rooms.push({ room: await createRoom(server, `bench ${tag} ${i}`, i + 1), record: new RoomRecord(), clients: [] });
    }
    const t = performance.now();
    let done = 0;
    for (const [i, r] of rooms.entries()) {
      await connectClients(
        server,
        r.room,
        r.record,
        counters,
        perRoom,
        VIEW_SEED + i,
        times,
        r.clients,
        () => status.update(`  ${name}: connecting ${++done}/${count * perRoom}`),
        plain,
        VERIFIERS.many,
      );
    }
    const connectSeconds = (performance.now() - t) / 1000;
    await Promise.all(rooms.map((r, i) => control(server, r.room, { action: "randomize", density: DENSITY, seed: SOUP_SEED + i })));
    return await measureWindow(server, reloadsAtStart, name, rooms, counters, times, connectSeconds, status);
  } finally {
    await closeClients(rooms.flatMap((r) => r.clients));
  }
}


interface IdleResult {
  windowMs: number;
  /** Frames by type received after the first tick of an empty running room. */
  frames: Record<string, { frames: number; bytes: number }>;
  deltaFrames: number;
}

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ServerType).map(([name, code]) => [code, name]));

/** An empty grid that runs: after its first tick, what reaches a client? */
async function idleRoom(server: Server, room: CreatedRoom): Promise<IdleResult> {
  const counters = newCounters();
  const record = new RoomRecord();
  const clients: Client[] = [];
  try {
    await control(server, room, { action: "clear" });
    await connectClients(server, room, record, counters, 1, VIEW_SEED, { openMs: [], joinMs: [] }, clients, () => {});
    await control(server, room, { action: "resume" });
    await delay(4 * TICK_MS); // the first tick finds the grid still and stops ticking
    counters.recording = true;
    const start = performance.now();
    await delay(CONFIG.idleMs);
    counters.recording = false;
    const windowMs = performance.now() - start;
    await control(server, room, { action: "pause" });
    const frames = Object.fromEntries([...counters.byType].map(([type, v]) => [TYPE_NAMES[type] ?? String(type), v]));
    return { windowMs, frames, deltaFrames: counters.byType.get(ServerType.DELTA)?.frames ?? 0 };
  } finally {
    await closeClients(clients);
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

function loadTable(results: readonly LoadResult[]): string {
  const ms = (s: Summary | null, key: keyof Summary) => (s ? formatMs(s[key]) : "—");
  return formatTable(
    [
      "load",
      "join p50/p95 ms",
      "ticks/s",
      "interval p50",
      "p95",
      "p99",
      "max",
      "late",
      "missed",
      "spread p50",
      "p95",
      "p99",
      "delivered",
      "KB/s/client",
      "msg/s/client",
      "worker CPU",
      "ms/tick",
      "main ran/waited",
      "proxy CPU",
      "disk MB/s",
      "client loop",
    ],
    results.map((r) => [
      r.reloaded ? `${r.name} (reloaded!)` : r.droppedClients ? `${r.name} (${r.droppedClients} dropped!)` : r.name,
      `${ms(r.connect.joinMs, "p50")}/${ms(r.connect.joinMs, "p95")}`,
      r.ticksPerSecondPerRoom.toFixed(1),
      ms(r.intervalMs, "p50"),
      ms(r.intervalMs, "p95"),
      ms(r.intervalMs, "p99"),
      ms(r.intervalMs, "max"),
      String(r.lateTicks),
      String(r.missedTicks),
      ms(r.spreadMs, "p50"),
      ms(r.spreadMs, "p95"),
      ms(r.spreadMs, "p99"),
      `${(r.deliveredShare * 100).toFixed(0)}%`,
      (r.bytesPerClientPerSecond / 1000).toFixed(1),
      r.messagesPerClientPerSecond.toFixed(1),
      r.workerCpuShare === null ? "—" : `${(r.workerCpuShare * 100).toFixed(0)}%`,
      formatMs(r.workerCpuMsPerTick),
      r.load.workerMainRunShare === null || r.load.workerMainWaitShare === null
        ? "—"
        : `${(r.load.workerMainRunShare * 100).toFixed(0)}%/${(r.load.workerMainWaitShare * 100).toFixed(0)}%`,
      r.proxyCpuShare === null ? "—" : `${(r.proxyCpuShare * 100).toFixed(0)}%`,
      r.load.workerWriteBytesPerSecond === null ? "—" : (r.load.workerWriteBytesPerSecond / 1e6).toFixed(1),
      `${(r.load.clientLoopUtilisation * 100).toFixed(0)}%`,
    ]),
    new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]),
  );
}

function targets(single: readonly LoadResult[], many: LoadResult | null, idle: IdleResult | null, compared: readonly LoadResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const biggest = single.find((r) => r.clients === 500) ?? null;
  const plainBiggest = compared.find((r) => r.rooms === 1 && r.clientMode === "plain");
  const plainMany = compared.find((r) => r.rooms > 1 && r.clientMode === "plain");
  const diskMany = compared.find((r) => r.rooms > 1 && r.storage !== STORAGE);
  checks.push({
    target: `500 clients in one room: tick interval p99 ≤ 1.5× nominal (${1.5 * TICK_MS} ms)`,
    measured: biggest?.intervalMs
      ? `p99 ${formatMs(biggest.intervalMs.p99)} ms (p50 ${formatMs(biggest.intervalMs.p50)}, max ${formatMs(biggest.intervalMs.max)})` +
        (plainBiggest?.intervalMs ? `; plain clients: p99 ${formatMs(plainBiggest.intervalMs.p99)} ms` : "")
      : "not measured in this run",
    met: biggest?.intervalMs ? biggest.intervalMs.p99 <= 1.5 * TICK_MS : null,
  });
  checks.push({
    target: "500 clients in one room: last client within 50 ms of the first, p95",
    measured: biggest?.spreadMs ? `p95 ${formatMs(biggest.spreadMs.p95)} ms (p99 ${formatMs(biggest.spreadMs.p99)}, max ${formatMs(biggest.spreadMs.max)})` : "not measured in this run",
    met: biggest?.spreadMs ? biggest.spreadMs.p95 <= 50 : null,
  });
  const fullMany = many && many.rooms >= 50 ? many : null;
  checks.push({
    target: "50 rooms × 4 clients on one wrangler dev without missed ticks",
    measured: many
      ? `${many.rooms} rooms: ${many.missedTicks} missed (interval ≥ ${2 * TICK_MS} ms${many.missedTicks ? `; at ${many.stalls} moment${many.stalls === 1 ? "" : "s"}` : ""}), ${many.lateTicks} late (> ${1.5 * TICK_MS} ms) of ${many.ticks} ticks; ${many.ticksPerSecondPerRoom.toFixed(1)} ticks/s per room` +
        (plainMany ? `; plain clients: ${plainMany.missedTicks} missed, ${plainMany.ticksPerSecondPerRoom.toFixed(1)} ticks/s per room` : "") +
        (diskMany ? `; ${STORAGE_LABEL[diskMany.storage]}: ${diskMany.missedTicks} missed, ${diskMany.ticksPerSecondPerRoom.toFixed(1)} ticks/s per room` : "")
      : "not measured",
    met: fullMany ? fullMany.missedTicks === 0 : null,
  });
  const predicting = [...single, ...(many ? [many] : [])];
  const checked = predicting.reduce((n, r) => n + r.verified.checksums, 0);
  const lost = predicting.reduce((n, r) => n + r.verified.resyncs, 0);
  checks.push({
    target: "predicting clients hold exactly the room's cells (their checksums always agree)",
    measured: `${checked} checksums checked by ${predicting.reduce((n, r) => n + r.verified.clients, 0)} verifying clients, ${lost} views lost`,
    met: checked > 0 ? lost === 0 : null,
  });
  checks.push({
    target: "a running grid that does not change sends nothing but STATS (real server)",
    measured: idle
      ? `${Object.entries(idle.frames).map(([t, v]) => `${v.frames} ${t} (${v.bytes} B)`).join(", ") || "no frames"} in ${(idle.windowMs / 1000).toFixed(1)} s after the first tick`
      : "not measured",
    met: idle ? Object.keys(idle.frames).every((t) => t === "STATS") : null,
  });
  return checks;
}

function chart(single: readonly LoadResult[]): string | null {
  const points = (pick: (r: LoadResult) => number | null | undefined) =>
    single.map((r) => ({ x: r.clients, y: pick(r) ?? 0 })).filter((p) => p.y > 0);
  const series: ChartSeries[] = [
    { name: "tick interval p50", points: points((r) => r.intervalMs?.p50), color: "#1f77b4" },
    { name: "tick interval p99", points: points((r) => r.intervalMs?.p99), color: "#1f77b4", dash: "6 3" },
    { name: "first→last client p95", points: points((r) => r.spreadMs?.p95), color: "#d62728" },
    { name: "first→last client p99", points: points((r) => r.spreadMs?.p99), color: "#d62728", dash: "6 3" },
    { name: `nominal tick, spread target (${TICK_MS} ms)`, points: single.map((r) => ({ x: r.clients, y: TICK_MS })), color: "#888", dash: "2 3" },
    { name: `interval p99 target (${1.5 * TICK_MS} ms)`, points: single.map((r) => ({ x: r.clients, y: 1.5 * TICK_MS })), color: "#bbb", dash: "8 4" },
  ].filter((s) => s.points.length > 0);
  if (single.length < 2) return null;
  return lineChartSvg({
    title: `One room at ${1000 / TICK_MS} ticks/s: tick timing against clients`,
    xLabel: "clients in the room (log scale)",
    yLabel: "milliseconds (log scale)",
    series,
    formatX: (x) => String(x),
    formatY: (y) => `${+y.toPrecision(2)} ms`,
  });
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const loadBefore: LoadAverage = loadAverage();
  const started = Date.now();
  progress(`room benchmark${QUICK ? " (quick)" : ""} on ${describeMachine(machine)}; ${describeLoad(loadBefore)}`);
  const levels = SELECTED.has("one") ? CONFIG.levels.filter((n) => n <= MAX_CONNECTIONS_PER_ROOM) : [];
  for (const n of CONFIG.levels) {
    if (n > MAX_CONNECTIONS_PER_ROOM) progress(`  skipping ${n} clients: the room caps sockets at ${MAX_CONNECTIONS_PER_ROOM} (worker/limits.ts)`);
  }
  const status = new StatusLine();

  status.update("  starting wrangler dev …");
  const t0 = performance.now();
  const server = await startServer(STORAGE);
  const serverStartSeconds = (performance.now() - t0) / 1000;
  status.done(`  wrangler dev ready on ${server.url} in ${serverStartSeconds.toFixed(1)} s`);

  await loadVerifierEngine();
  const single: LoadResult[] = [];
  let many: LoadResult | null = null;
  let idle: IdleResult | null = null;
  /** The full run's comparisons: the largest loads again with plain clients (DELTA frames), and
   *  the many-rooms load with the server's storage on disk. */
  const compared: LoadResult[] = [];
  try {
    const room = await createRoom(server, "bench", 0);
    for (const n of levels) {
      const r = await twice(() => oneRoom(server, room, n, status), status);
      single.push(r);
      status.done(summaryLine(r));
    }
    let attempt = 0;
    if (SELECTED.has("many")) {
      if (CONFIG.rooms + 1 > ROOM_CREATION_BURST) progress(`  creating ${CONFIG.rooms} rooms from distinct client addresses (one address may create ${ROOM_CREATION_BURST} at once)`);
      many = await twice(() => manyRooms(server, CONFIG.rooms, CONFIG.clientsPerRoom, `m${++attempt}`, status), status);
      status.done(summaryLine(many));
    }
    if (COMPARE) {
      const largest = levels[levels.length - 1];
      if (largest !== undefined) {
        compared.push(await twice(() => oneRoom(server, room, largest, status, true), status));
        status.done(summaryLine(compared[compared.length - 1]));
      }
      if (SELECTED.has("many")) {
        compared.push(await twice(() => manyRooms(server, CONFIG.rooms, CONFIG.clientsPerRoom, `p${++attempt}`, status, true), status));
        status.done(summaryLine(compared[compared.length - 1]));
      }
    }
    if (SELECTED.has("idle")) {
      idle = await idleRoom(server, room);
      status.done(`  idle room: ${JSON.stringify(idle.frames)} in ${(idle.windowMs / 1000).toFixed(1)} s after the first tick`);
    }
  } finally {
    status.done();
    await server.stop();
  }
  if (COMPARE && STORAGE === "ram" && SELECTED.has("many")) {
    // The same many-rooms load on a server whose storage is on disk, as `npm start` keeps it.
    status.update("  starting wrangler dev with its storage on disk …");
    const onDisk = await startServer("disk");
    status.done(`  wrangler dev (storage on disk) ready on ${onDisk.url}`);
    try {
      let attempt = 0;
      compared.push(await twice(() => manyRooms(onDisk, CONFIG.rooms, CONFIG.clientsPerRoom, `d${++attempt}`, status), status));
      status.done(summaryLine(compared[compared.length - 1]));
    } finally {
      status.done();
      await onDisk.stop();
    }
  }

  const checks = targets(single, many, idle, compared);
  const loadAfter = loadAverage();
  const elapsedSeconds = (Date.now() - started) / 1000;
  const all = [...single, ...(many ? [many] : []), ...compared];
  const out: string[] = [];
  out.push("");
  out.push(
    `Room load: ${GRID_SIDE}² torus, B3/S23, 50% soup, ${1000 / TICK_MS} ticks/s; each client views ${VIEW_SIDE}×${VIEW_SIDE} cells and predicts ` +
      `(", plain": does not, and gets DELTA frames); ${describeMachine(machine)}`,
  );
  out.push(
    `wrangler dev with its ${STORAGE_LABEL[STORAGE]}` +
      (STORAGE === "ram" ? ` (", disk": on disk, where each tick's alarm commit waits for the disk on the rooms' one thread)` : "") +
      `; ${describeLoad(loadBefore)} at start, ${describeLoad(loadAfter)} at end; server and clients share this machine`,
  );
  out.push("");
  out.push(loadTable(all));
  out.push("");
  out.push(
    `Window ${CONFIG.windowMs / 1000} s after ${CONFIG.warmupMs / 1000} s of warm-up. interval = first arrival of generation g+1 minus of g; late > ${1.5 * TICK_MS} ms, missed ≥ ${2 * TICK_MS} ms;\n` +
      "spread = last minus first arrival of a generation at the room's clients (generations every client got); delivered = arrivals / (ticks × clients);\n" +
      "worker CPU = CPU time of the workerd running the rooms over the window (share of one core); ms/tick = that time per tick, all rooms together (step + encode + send + runtime);\n" +
      "main ran/waited = its busiest thread (the rooms' JavaScript): share of the window on a CPU / runnable but waiting for one (near 100% together: saturated; high wait: the machine is busy);\n" +
      "proxy CPU = wrangler dev's proxy workerd, which relays every frame (local development only); disk MB/s = what the rooms' runtime wrote to storage;\n" +
      "client loop = event-loop utilisation of the one Node process running every client.\n" +
      `Predicting clients: ${VERIFIERS.one} per room (${VERIFIERS.many} with many rooms) run the engine on their STEP frames and check them (${all
        .filter((r) => r.clientMode === "predicting")
        .map((r) => `${r.name}: ${r.verified.clients} clients, ${r.verified.steps} steps, ${r.verified.checksums} checksums, ${r.verified.resyncs} views lost`)
        .join("; ")}).`,
  );
  out.push("");
  out.push("Targets:");
  out.push("");
  out.push(formatTable(["target", "measured", "verdict"], checks.map((c) => [c.target, c.measured, verdict(c)])));
  if (all.some((r) => r.reloaded)) out.push("\n(reloaded!) the Worker was reloaded during that load, twice in a row: its numbers are disturbed.");
  if (all.some((r) => r.droppedClients)) out.push("\n(dropped!) sockets closed during that load, twice in a row: the server refused or lost them (see closeCodes in the JSON).");
  const errors = all.flatMap((r) => r.errors);
  if (errors.length) out.push(`\nclient errors (first ${Math.min(errors.length, 10)}):\n  ${errors.slice(0, 10).join("\n  ")}`);
  process.stdout.write(`${out.join("\n")}\n\n`);

  const files = writeResults("room", {
    suite: "room",
    date: new Date().toISOString(),
    quick: QUICK,
    machine,
    load: { before: loadBefore, after: loadAfter },
    elapsedSeconds,
    serverStartSeconds,
    settings: { storage: STORAGE, gridSide: GRID_SIDE, tickMs: TICK_MS, density: DENSITY, soupSeed: SOUP_SEED, viewSide: VIEW_SIDE, viewSeed: VIEW_SEED, connectConcurrency: CONNECT_CONCURRENCY, ...CONFIG },
    targets: checks,
    single,
    many,
    idle,
  });
  const svg = chart(single);
  const chartPath = svg ? writeResultFile("room.svg", svg) : null;
  process.stdout.write(`results: ${files.stamped}\n         ${files.latest}\n${chartPath ? `         ${chartPath}\n` : ""}(${elapsedSeconds.toFixed(0)} s)\n`);
}

/** Runs a load, and once more when the first run was disturbed (a reload, a dropped socket). */
async function twice(load: () => Promise<LoadResult>, status: StatusLine): Promise<LoadResult> {
  const first = await load();
  if (!first.reloaded && first.droppedClients === 0) return first;
  status.done(`  ${first.name}: disturbed (${first.reloaded ? "server reloaded" : `${first.droppedClients} sockets dropped`}); running it again`);
  const second = await load();
  return { ...second, attempts: 2 };
}

function summaryLine(r: LoadResult): string {
  return (
    `  ${r.name.padEnd(16)} ${r.ticksPerSecondPerRoom.toFixed(1)} ticks/s, interval p99 ${formatMs(r.intervalMs?.p99 ?? null)} ms, ` +
    `spread p95 ${formatMs(r.spreadMs?.p95 ?? null)} ms, ${(r.bytesPerClientPerSecond / 1000).toFixed(1)} KB/s per client, ` +
    `join p95 ${formatMs(r.connect.joinMs?.p95 ?? null)} ms`
  );
}

// Stop the server on Ctrl-C, on a kill, and when any load overruns its bound.
async function abort(reason: string, code: number): Promise<never> {
  process.stderr.write(`\nroom benchmark: ${reason}; stopping the server\n`);
  await stopActiveServer();
  process.exit(code);
}
process.once("SIGINT", () => void abort("interrupted", 130));
process.once("SIGTERM", () => void abort("terminated", 143));
// On any other exit (a synchronous path) scripts/wrangler-dev.mjs kills the server's group: never
// is workerd left running.
const watchdog = setTimeout(() => void abort(`still running after ${CONFIG.watchdogMs / 1000} s`, 1), CONFIG.watchdogMs);
watchdog.unref();

try {
  await main();
} catch (e) {
  await abort(e instanceof Error ? (e.stack ?? e.message) : String(e), 1);
}
