/**
 * How many players and rooms does one server hold? Starts the real server (`wrangler dev` on a
 * free loopback port, with its own temporary storage, running a copy of the Worker's sources
 * taken at the start so that an edit in the checkout cannot reload it mid-load), then drives it
 * with real `ws` clients that speak the room protocol like the web client does (HELLO,
 * VIEWPORT, RECEIVED every RECEIVED_EVERY_FRAMES frames):
 *
 *   one room    1, 10, 100 and 500 clients (quick: 1, 10, 100), 20 ticks/s
 *   many rooms  50 rooms × 4 clients (quick: 8 × 4), 20 ticks/s each
 *   idle room   one client, an empty running grid: what does the server still send?
 *
 * Clients predict (lockstep, common/predict.ts), as the web client does at scale 1: every client
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
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { freePort } from "../scripts/free-port.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import WebSocket from "ws";
import {
  type CreatedRoom,
  type ControlAction,
  RECEIVED_EVERY_FRAMES,
  ServerType,
  decodePayload,
  decodeServerFrame,
  encodeClientMessage,
  keyframeBytes,
  type ServerMessage,
} from "../common/protocol.ts";
import { LockstepView } from "../common/predict.ts";
import { loadModule } from "../common/wasm-node.ts";
import { MAX_CONNECTIONS_PER_ROOM, ROOM_CREATION_BURST } from "../worker/limits.ts";
import {
  type ChartSeries,
  ROOT,
  SOUP_DENSITY,
  SOUP_SEED,
  describeMachine,
  formatTable,
  hasFlag,
  lineChartSvg,
  machineInfo,
  progress,
  writeResultFile,
  writeResults,
} from "./harness.ts";
import {
  type LoadAverage,
  type Summary,
  type TargetCheck,
  StatusLine,
  describeLoad,
  formatMs,
  loadAverage,
  seededRandom,
  summarize,
  verdict,
} from "./report.ts";

const QUICK = hasFlag("--quick");
/** The full run's comparisons: plain clients, and the many-rooms load with storage on disk. */
const COMPARE = !QUICK && !hasFlag("--no-compare");
const LOADS = ["one", "many", "idle"] as const;
type LoadName = (typeof LOADS)[number];
/** The loads `--loads=…` selects, all by default. */
const SELECTED: ReadonlySet<LoadName> = selectedLoads(process.argv.slice(2));
/**
 * Where the server's storage lives. By default in RAM (/dev/shm): under wrangler dev every room
 * runs on one thread and SQLite flushes each commit to disk on that thread, and every tick is a
 * commit (re-arming the alarm), so on disk the loads measure the disk's flush latency (50 rooms
 * at 20 ticks/s are ~2,000 flushes a second) rather than the rooms; on Cloudflare storage writes
 * do not block the isolate. The full run repeats the many-rooms load on disk to show the
 * difference; `--storage=disk` runs every load on disk.
 */
type Storage = "ram" | "disk";
const STORAGE: Storage = process.argv.includes("--storage=disk") || !existsSync("/dev/shm") ? "disk" : "ram";
const STORAGE_LABEL: Record<Storage, string> = { ram: "storage in RAM (/dev/shm)", disk: "storage on disk" };

function selectedLoads(argv: readonly string[]): Set<LoadName> {
  const arg = argv.find((a) => a.startsWith("--loads="));
  if (!arg) return new Set(LOADS);
  const names = arg.slice("--loads=".length).split(",");
  const unknown = names.filter((n) => !(LOADS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) {
    process.stderr.write(`room benchmark: unknown load "${unknown.join(",")}"; --loads takes a list of ${LOADS.join(", ")}\n`);
    process.exit(2);
  }
  return new Set(names as LoadName[]);
}

const GRID_SIDE = 1024;
const TICK_MS = 50;
const DENSITY = SOUP_DENSITY;
const VIEW_SIDE = 128;
const VIEW_SEED = 4242;

const CONFIG = QUICK
  ? { levels: [1, 10, 100], rooms: 8, clientsPerRoom: 4, warmupMs: 250, windowMs: 1200, idleMs: 600, watchdogMs: 50_000 }
  : { levels: [1, 10, 100, 500], rooms: 50, clientsPerRoom: 4, warmupMs: 1000, windowMs: 10_000, idleMs: 2000, watchdogMs: 8 * 60_000 };

/** Clients per room that run the engine on the STEP frames and check them (the first ones to
 *  join): four in the one-room loads, one per room with many rooms (still every room checked),
 *  since every engine runs in this one Node process and 200 of them would load the clients'
 *  event loop enough to delay arrivals — a bench artefact, not the server's. */
const VERIFIERS = { one: 4, many: 1 } as const;

/** How a client takes its frames: plain (DELTA, no prediction), predicting (asks for STEP frames,
 *  counts and acknowledges them), or verifying (predicting, and runs the engine on them). */
type ClientMode = "plain" | "predict" | "verify";

/** Sockets opened at once: opening all 500 together would measure a handshake storm, not joins. */
const CONNECT_CONCURRENCY = 25;
const CONNECT_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 90_000;
const HTTP_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// The server

interface Server {
  url: string;
  port: number;
  pgid: number;
  storage: Storage;
  /** Times wrangler dev rebuilt and reloaded the Worker (it watches the sources) since start. */
  reloads(): number;
  stop(): Promise<void>;
}

let activeServer: Server | null = null;


/** What the Worker needs to build and run, copied from the checkout (see startServer). */
const APP_FILES = ["wrangler.toml", "tsconfig.base.json", "worker", "common", "types", "build/life.wasm", "build/life-simd.wasm", "web/dist"];

async function startServer(storage: Storage): Promise<Server> {
  // The Worker serves the web client's build as its static assets; wrangler wants the folder.
  if (!existsSync(join(ROOT, "web", "dist", "index.html"))) {
    const built = spawnSync("node", ["scripts/build-web.mjs"], { cwd: ROOT, stdio: ["ignore", 2, 2] });
    if (built.status !== 0) throw new Error("building the web client failed");
  }
  const port = await freePort();
  const inspectorPort = await freePort();
  const scratch = mkdtempSync(join(storage === "ram" ? "/dev/shm" : tmpdir(), "edgelife-bench-"));
  const state = join(scratch, "state");
  // wrangler dev watches the Worker's sources and reloads it when one changes, which drops every
  // socket; the bench runs a copy of them taken now, so an edit in the checkout during a run
  // cannot reset a load halfway (same code, same wrangler.toml, same wrangler).
  const app = join(scratch, "app");
  for (const path of APP_FILES) cpSync(join(ROOT, path), join(app, path), { recursive: true });
  const child: ChildProcess = spawn(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "--config",
      join(app, "wrangler.toml"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: app,
      detached: true, // its own process group, so stopping it stops workerd too
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        NO_COLOR: "1",
      },
    },
  );
  let log = "";
  let reloads = 0;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    reloads += text.match(/Reloading local server/g)?.length ?? 0;
    log = (log + text).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pgid = child.pid ?? 0;
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const server: Server = {
    url,
    port,
    pgid,
    storage,
    reloads: () => reloads,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      killGroup(pgid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pgid, "SIGKILL"), 5000);
      await Promise.race([exited, delay(7000)]);
      clearTimeout(timer);
      killGroup(pgid, "SIGKILL"); // anything of the group that ignored SIGTERM
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  activeServer = server;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${url}/api/rooms`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return server;
    } catch {
      // not listening yet
    }
    await delay(250);
  }
  await server.stop();
  throw new Error(`wrangler dev did not become ready on ${url}:\n${log.slice(-4000)}`);
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/**
 * Scheduler statistics of every thread of the server group's workerd processes, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU, nanoseconds runnable but waiting for
 * one); null off Linux. wrangler dev runs two workerd processes: a proxy on the public port that
 * relays every request and WebSocket frame (a local-development layer; the edge does this in
 * production), and the runtime of the Worker and its Durable Objects.
 */
type Role = "proxy" | "worker";
/** Per thread ("pid/tid"): on-CPU and runnable-waiting nanoseconds; per process ("pid"): bytes
 *  the process caused to be written to storage (/proc/<pid>/io write_bytes). */
type ThreadTimes = Map<string, { role: Role; runNs: number; waitNs: number; writeBytes?: number }>;

function workerdThreads(pgid: number, port: number): ThreadTimes | null {
  if (process.platform !== "linux") return null;
  const out: ThreadTimes = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp …: comm may contain spaces, so split after its closing paren.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      if (Number(fields[2]) !== pgid || !comm.startsWith("workerd")) continue;
      const role: Role = readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`entry=127.0.0.1:${port}\0`) ? "proxy" : "worker";
      const io = /write_bytes:\s*(\d+)/.exec(readFileSync(`/proc/${entry}/io`, "utf8"));
      out.set(entry, { role, runNs: 0, waitNs: 0, writeBytes: io ? Number(io[1]) : 0 });
      for (const tid of readdirSync(`/proc/${entry}/task`)) {
        const [run, wait] = readFileSync(`/proc/${entry}/task/${tid}/schedstat`, "utf8").split(" ").map(Number);
        out.set(`${entry}/${tid}`, { role, runNs: run, waitNs: wait });
      }
    } catch {
      continue; // exited meanwhile, or no schedstat on this kernel
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function api<T>(server: Server, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/**
 * Creates a paused room. One client address may create ROOM_CREATION_BURST rooms at once and then
 * a few a minute (worker/limits.ts); the many-rooms load creates its rooms as if from distinct
 * addresses (`creator`), through the CF-Connecting-IP header, which wrangler dev passes through
 * (the Cloudflare edge sets it itself, so this only works against a local server).
 */
async function createRoom(server: Server, name: string, creator: number): Promise<CreatedRoom> {
  return api<CreatedRoom>(
    server,
    "POST",
    "/api/rooms",
    { name, width: GRID_SIDE, height: GRID_SIDE, rule: "B3/S23", topology: "torus", tickMs: TICK_MS, generationsPerTick: 1, running: false, private: true },
    { "CF-Connecting-IP": `127.0.${Math.floor(creator / 250)}.${(creator % 250) + 1}` },
  );
}

async function control(server: Server, room: CreatedRoom, action: ControlAction): Promise<void> {
  await api(server, "POST", `/api/rooms/${room.id}/control`, action, { Authorization: `Bearer ${room.ownerToken}` });
}

// ---------------------------------------------------------------------------------------------
// Clients

/** Arrivals of one generation at a room's clients. */
interface Arrival {
  first: number;
  last: number;
  count: number;
}

/** What one room's clients saw. */
class RoomRecord {
  readonly arrivals = new Map<number, Arrival>();
  gpsFromStats: number[] = [];
  playersFromStats = 0;

  arrive(generation: number, at: number): void {
    const a = this.arrivals.get(generation);
    if (!a) this.arrivals.set(generation, { first: at, last: at, count: 1 });
    else {
      if (at < a.first) a.first = at;
      if (at > a.last) a.last = at;
      a.count++;
    }
  }
}

interface Counters {
  recording: boolean;
  bytes: number;
  messages: number;
  byType: Map<number, { frames: number; bytes: number }>;
  errors: string[];
  closes: Map<number, number>;
  /** What the verifying clients did with the STEP and DELTA frames they ran. */
  verified: { clients: number; steps: number; checksums: number; resyncs: number };
}

function newCounters(): Counters {
  return { recording: false, bytes: 0, messages: 0, byType: new Map(), errors: [], closes: new Map(), verified: { clients: 0, steps: 0, checksums: 0, resyncs: 0 } };
}

let lifeModule: WebAssembly.Module | null = null;
let nextClientAddress = 1;

class Client {
  readonly ws: WebSocket;
  readonly openedIn: Promise<number>;
  #frames = 0; // KEYFRAME + DELTA + STEP frames received, for RECEIVED
  #keyframes = 0;
  #keyframeWaiters: { n: number; resolve: () => void }[] = [];
  readonly closed: Promise<void>;
  /** A verifying client's engine, and its frames handled one after another. */
  readonly #view: LockstepView | null;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    url: string,
    readonly room: RoomRecord,
    readonly counters: Counters,
    readonly mode: ClientMode = "predict",
  ) {
    this.#view = mode === "verify" && lifeModule ? new LockstepView(lifeModule) : null;
    if (this.#view) counters.verified.clients++;
    const started = performance.now();
    // Each client as if from its own address (CF-Connecting-IP, which wrangler dev passes
    // through): a room limits how fast one address opens sockets (worker/limits.ts), and 500
    // players are 500 machines, not one.
    const address = nextClientAddress++;
    const headers = { "CF-Connecting-IP": `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}` };
    this.ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: CONNECT_TIMEOUT_MS, headers });
    this.openedIn = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve(performance.now() - started));
      this.ws.once("error", reject);
      this.ws.once("close", (code) => reject(new Error(`closed before open (${code})`)));
    });
    this.openedIn.catch(() => {});
    this.closed = new Promise((resolve) => this.ws.once("close", () => resolve()));
    this.ws.on("error", (e) => counters.errors.length < 20 && counters.errors.push(String(e)));
    this.ws.on("close", (code) => counters.closes.set(code, (counters.closes.get(code) ?? 0) + 1));
    this.ws.on("message", (data: WebSocket.RawData) => this.#onMessage(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)));
  }

  #onMessage(data: Buffer): void {
    const at = performance.now();
    const type = data.length >= 2 ? data[1] : -1;
    const c = this.counters;
    if (c.recording) {
      c.bytes += data.length;
      c.messages++;
      const t = c.byType.get(type) ?? { frames: 0, bytes: 0 };
      t.frames++;
      t.bytes += data.length;
      c.byType.set(type, t);
    }
    if (type === ServerType.DELTA && data.length >= 10) {
      // Only the header is read here, to keep this process's per-frame work small: 500 clients
      // share one event loop, and its queueing would show up as server delay.
      this.room.arrive(data.readUInt32LE(2) + data.readUInt32LE(6) * 2 ** 32, at);
    } else if (type === ServerType.STEP && data.length >= 18) {
      this.room.arrive(data.readUInt32LE(10) + data.readUInt32LE(14) * 2 ** 32, at); // `to`
    }
    if (this.#view) {
      const view = this.#view;
      const m = decodeServerFrame(data);
      if (m.ok) this.#chain = this.#chain.then(() => this.#verify(view, m.value)).catch((e: unknown) => void (c.errors.length < 20 && c.errors.push(String(e))));
    }
    if (type === ServerType.KEYFRAME || type === ServerType.DELTA || type === ServerType.STEP) {
      this.#frames++;
      if (this.#frames % RECEIVED_EVERY_FRAMES === 0) this.#send(encodeClientMessage({ type: "received", frames: this.#frames }));
    }
    if (type === ServerType.KEYFRAME) {
      this.#keyframes++;
      this.#keyframeWaiters = this.#keyframeWaiters.filter((w) => (w.n <= this.#keyframes ? (w.resolve(), false) : true));
    } else if (type === ServerType.STATS) {
      const m = decodeServerFrame(data);
      if (m.ok && m.value.type === "stats") {
        if (c.recording) this.room.gpsFromStats.push(m.value.generationsPerSecond);
        this.room.playersFromStats = m.value.players;
      }
    } else if (type === ServerType.ERROR) {
      const m = decodeServerFrame(data);
      if (c.errors.length < 20) c.errors.push(m.ok && m.value.type === "error" ? `error frame ${m.value.code}: ${m.value.reason}` : "undecodable error frame");
    }
  }

  /** A verifying client runs the engine on its frames, as the web client does. */
  async #verify(view: LockstepView, m: ServerMessage): Promise<void> {
    const v = this.counters.verified;
    let outcome = "applied";
    if (m.type === "welcome" || m.type === "settings") view.settings(m.settings);
    else if (m.type === "keyframe") {
      const raw = await decodePayload(m.codec, m.payload, keyframeBytes(m.width, m.height));
      if (raw) await view.keyframe(m, raw);
    } else if (m.type === "step") {
      const checksums = view.counts.checksums;
      outcome = await view.step(m);
      if (outcome === "applied" && m.steps > 0) v.steps++;
      v.checksums += view.counts.checksums - checksums;
    } else if (m.type === "delta") outcome = await view.delta(m);
    if (outcome === "resync") {
      v.resyncs++;
      this.#send(encodeClientMessage({ type: "resync" }));
    }
  }

  #send(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  /** Resolves when the `n`-th keyframe on this socket has arrived. */
  keyframe(n: number): Promise<void> {
    if (this.#keyframes >= n) return Promise.resolve();
    return new Promise((resolve) => this.#keyframeWaiters.push({ n, resolve }));
  }

  hello(name: string): void {
    this.#send(encodeClientMessage({ type: "hello", name, resumeGeneration: null, token: null, predict: this.mode !== "plain" }));
  }

  viewport(x: number, y: number, side: number): void {
    this.#send(encodeClientMessage({ type: "viewport", x, y, width: side, height: side, scale: 1 }));
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000, "bench done");
  }
}

interface ConnectTimes {
  openMs: number[];
  joinMs: number[];
}

/** Opens `count` clients on `room`, each through HELLO and its VIEWPORT's keyframe, into `clients`
 *  (filled as they open, so a caller can close them even when a later one fails). */
async function connectClients(
  server: Server,
  room: CreatedRoom,
  record: RoomRecord,
  counters: Counters,
  count: number,
  viewSeed: number,
  times: ConnectTimes,
  clients: Client[],
  status: (done: number) => void,
  plain = false,
  verifiers: number = VERIFIERS.one,
): Promise<void> {
  const wsUrl = `${server.url.replace(/^http/, "ws")}/api/rooms/${room.id}/ws`;
  const next = seededRandom(viewSeed);
  const tiles = GRID_SIDE / 64 - VIEW_SIDE / 64;
  const views = Array.from({ length: count }, () => [Math.floor(next() * (tiles + 1)) * 64, Math.floor(next() * (tiles + 1)) * 64]);
  let started = 0;
  let done = 0;
  const worker = async () => {
    while (started < count) {
      const i = started++;
      const begin = performance.now();
      const client = new Client(wsUrl, record, counters, plain ? "plain" : i < verifiers ? "verify" : "predict");
      clients.push(client);
      times.openMs.push(await withTimeout(client.openedIn, CONNECT_TIMEOUT_MS, `client ${i}: open`));
      client.hello(`bench ${i}`);
      await withTimeout(client.keyframe(1), CONNECT_TIMEOUT_MS, `client ${i}: welcome and keyframe`);
      times.joinMs.push(performance.now() - begin);
      client.viewport(views[i][0], views[i][1], VIEW_SIDE);
      await withTimeout(client.keyframe(2), CONNECT_TIMEOUT_MS, `client ${i}: viewport keyframe`);
      status(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, worker));
}

async function closeClients(clients: readonly Client[]): Promise<void> {
  for (const c of clients) c.close();
  const all = Promise.all(clients.map((c) => c.closed));
  const timedOut = await Promise.race([all.then(() => false), delay(5000).then(() => true)]);
  if (timedOut) for (const c of clients) c.ws.terminate();
}

// ---------------------------------------------------------------------------------------------
// Measuring a window

interface ProcessLoad {
  /** Event-loop utilisation of this (client) process over the window, 0..1. */
  clientLoopUtilisation: number;
  clientLoopDelayP99Ms: number;
  /** The longest the clients' event loop was blocked: a pause here delays every client at once. */
  clientLoopDelayMaxMs: number;
  /** CPU time of this process over the window, as a share of one core. */
  clientCpuCores: number;
  /** CPU seconds, all threads, of the Worker's runtime (rooms, lobby) and of wrangler's proxy over
   *  the window; null when unknown (not Linux, or a process was replaced during the window). */
  workerCpuSeconds: number | null;
  proxyCpuSeconds: number | null;
  /** The runtime's busiest thread (the one running the Durable Objects' JavaScript): the shares of
   *  the window it ran and it waited, runnable, for a CPU. Together near 1 = that thread was saturated;
   *  a large wait share = the machine's other work took its CPU. */
  workerMainRunShare: number | null;
  workerMainWaitShare: number | null;
  /** Bytes per second the Worker's runtime wrote to storage (snapshots, alarms, SQLite journal). */
  workerWriteBytesPerSecond: number | null;
  /** A workerd process started or ended during the window. */
  serverRestarted: boolean;
}

class LoadProbe {
  readonly #elu = performance.eventLoopUtilization();
  readonly #cpu = process.cpuUsage();
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  readonly #server0: ThreadTimes | null;
  readonly #t0 = performance.now();

  constructor(readonly server: Server) {
    this.#histogram.enable();
    this.#server0 = workerdThreads(server.pgid, server.port);
  }

  finish(): ProcessLoad {
    const windowNs = (performance.now() - this.#t0) * 1e6;
    const elu = performance.eventLoopUtilization(this.#elu);
    const cpu = process.cpuUsage(this.#cpu);
    this.#histogram.disable();
    const before = this.#server0;
    const after = workerdThreads(this.server.pgid, this.server.port);
    const pids = (t: ThreadTimes | null) => new Set([...(t?.keys() ?? [])].filter((k) => !k.includes("/")));
    const pidsBefore = pids(before);
    const pidsAfter = pids(after);
    const samePids = before !== null && after !== null && pidsBefore.size > 0 && pidsBefore.size === pidsAfter.size && [...pidsBefore].every((p) => pidsAfter.has(p));
    let worker = 0;
    let proxy = 0;
    let main = { runNs: 0, waitNs: 0 };
    let written = 0;
    if (samePids && before && after) {
      for (const [key, a] of after) {
        const b = before.get(key) ?? { role: a.role, runNs: 0, waitNs: 0 }; // a thread started in the window
        if (!key.includes("/")) {
          if (a.role === "worker") written += (a.writeBytes ?? 0) - (b.writeBytes ?? 0);
          continue;
        }
        const run = a.runNs - b.runNs;
        const wait = a.waitNs - b.waitNs;
        if (a.role === "proxy") proxy += run;
        else {
          worker += run;
          if (run > main.runNs) main = { runNs: run, waitNs: wait };
        }
      }
    }
    return {
      clientLoopUtilisation: elu.utilization,
      clientLoopDelayP99Ms: this.#histogram.percentile(99) / 1e6,
      clientLoopDelayMaxMs: this.#histogram.max / 1e6,
      clientCpuCores: (cpu.user + cpu.system) / 1e3 / (windowNs / 1e6),
      workerCpuSeconds: samePids ? worker / 1e9 : null,
      proxyCpuSeconds: samePids ? proxy / 1e9 : null,
      workerMainRunShare: samePids ? main.runNs / windowNs : null,
      workerMainWaitShare: samePids ? main.waitNs / windowNs : null,
      workerWriteBytesPerSecond: samePids ? written / (windowNs / 1e9) : null,
      serverRestarted: before !== null && after !== null && !samePids,
    };
  }
}

interface LoadResult {
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
async function measureWindow(
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

// ---------------------------------------------------------------------------------------------

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
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

  lifeModule = await loadModule("simd");
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
    activeServer = null;
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
      activeServer = null;
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
  await activeServer?.stop();
  process.exit(code);
}
process.once("SIGINT", () => void abort("interrupted", 130));
process.once("SIGTERM", () => void abort("terminated", 143));
process.once("exit", () => {
  // Last resort (a synchronous exit path): never leave workerd running.
  if (activeServer) killGroup(activeServer.pgid, "SIGKILL");
});
const watchdog = setTimeout(() => void abort(`still running after ${CONFIG.watchdogMs / 1000} s`, 1), CONFIG.watchdogMs);
watchdog.unref();

try {
  await main();
} catch (e) {
  await abort(e instanceof Error ? (e.stack ?? e.message) : String(e), 1);
}
