/**
 * The load's clients: real `ws` sockets that speak the room's binary protocol (HELLO, VIEWPORT,
 * RECEIVED, RESYNC). A predicting client sets HELLO's predict flag and gets STEP frames, a plain
 * one gets DELTA frames; every client times each frame's arrival, counts and acknowledges it, and
 * a few (the verifiers) also run the engine on their frames and check the checksums, as a browser
 * would. Every client runs in this one Node process, so the others only read a frame's header.
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import {
  type CreatedRoom,
  RECEIVED_EVERY_FRAMES,
  ServerType,
  decodePayload,
  decodeServerFrame,
  encodeClientMessage,
  keyframeBytes,
  type ServerMessage,
} from "../../common/protocol/index.ts";
import { LockstepView } from "../../common/lockstep/client.ts";
import { loadModule } from "../../common/wasm-node.ts";
import { delay } from "../harness.ts";
import { seededRandom } from "../report.ts";
import type { Server } from "./server.ts";
import { CONNECT_CONCURRENCY, CONNECT_TIMEOUT_MS, GRID_SIDE, VERIFIERS, VIEW_SIDE } from "./settings.ts";

/** How a client takes its frames: plain (DELTA, no prediction), predicting (asks for STEP frames,
 *  counts and acknowledges them), or verifying (predicting, and runs the engine on them). */
export type ClientMode = "plain" | "predict" | "verify";

/** Arrivals of one generation at a room's clients. */
interface Arrival {
  first: number;
  last: number;
  count: number;
}

/** What one room's clients saw. */
export class RoomRecord {
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

export interface Counters {
  recording: boolean;
  bytes: number;
  messages: number;
  byType: Map<number, { frames: number; bytes: number }>;
  errors: string[];
  closes: Map<number, number>;
  /** What the verifying clients did with the STEP and DELTA frames they ran. */
  verified: { clients: number; steps: number; checksums: number; resyncs: number };
}

export function newCounters(): Counters {
  return { recording: false, bytes: 0, messages: 0, byType: new Map(), errors: [], closes: new Map(), verified: { clients: 0, steps: 0, checksums: 0, resyncs: 0 } };
}

let lifeModule: WebAssembly.Module | null = null;
let nextClientAddress = 1;

/** Loads the engine the verifying clients run; clients made before have none. */
export async function loadVerifierEngine(): Promise<void> {
  lifeModule = await loadModule("simd");
}

export class Client {
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
      // RECEIVED every RECEIVED_EVERY_FRAMES frames, on arrival: the least the protocol asks. The
      // web client acknowledges every frame once it has handled it, so these clients send the
      // server an eighth of the RECEIVED messages that browsers send.
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

export interface ConnectTimes {
  openMs: number[];
  joinMs: number[];
}

/** Opens `count` clients on `room`, each through HELLO and its VIEWPORT's keyframe, into `clients`
 *  (filled as they open, so a caller can close them even when a later one fails). */
export async function connectClients(
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

export async function closeClients(clients: readonly Client[]): Promise<void> {
  for (const c of clients) c.close();
  const all = Promise.all(clients.map((c) => c.closed));
  const timedOut = await Promise.race([all.then(() => false), delay(5000).then(() => true)]);
  if (timedOut) for (const c of clients) c.ws.terminate();
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
