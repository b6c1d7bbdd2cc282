// Helpers for the Worker tests: the HTTP API through the real Worker, sockets through the real
// upgrade path, and a player's view of the grid.
import { SELF, env, runInDurableObject } from "cloudflare:test";
import {
  decodeServerFrame,
  encodeClientMessage,
  type ClientMessage,
  type CreatedRoom,
  type CreateRoomRequest,
  type ServerMessage,
} from "../../common/protocol/index.ts";
import { GridMirror } from "../e2e/mirror.ts";
import { Signal } from "../signal.ts";

export const BASE = "http://rooms.test";

let addressCounter = 0;
/** A fresh client address, so per-address rate limits of one test do not leak into another. */
export function freshAddress(): string {
  addressCounter++;
  return `10.0.${addressCounter >> 8}.${addressCounter & 255}`;
}

export function api(path: string, init: RequestInit & { address?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("CF-Connecting-IP", init.address ?? freshAddress());
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return api(path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } });
}

export async function createRoom(overrides: Partial<CreateRoomRequest> = {}): Promise<CreatedRoom> {
  const response = await postJson("/api/rooms", { name: "test room", width: 64, height: 64, rule: "B3/S23", topology: "torus", tickMs: 10_000, ...overrides });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return response.json();
}

export function roomStubOf(id: string) {
  return env.ROOM.get(env.ROOM.idFromName(id));
}

/** Runs the room's alarm once while its SQLite storage refuses every statement ("disk full"),
 *  then gives the storage back. */
export async function alarmWithFailingStorage(id: string): Promise<void> {
  await runInDurableObject(roomStubOf(id), async (instance, state) => {
    const sql = state.storage.sql;
    const exec = sql.exec;
    sql.exec = () => {
      throw new Error("disk full");
    };
    try {
      await instance.alarm();
    } finally {
      sql.exec = exec;
    }
  });
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export async function control(room: CreatedRoom, body: unknown): Promise<Response> {
  return postJson(`/api/rooms/${room.id}/control`, body, bearer(room.ownerToken));
}

export async function stamp(room: CreatedRoom, rle: string, x: number, y: number, extra = ""): Promise<Response> {
  return api(`/api/rooms/${room.id}/pattern?x=${x}&y=${y}${extra}`, { method: "POST", body: rle });
}

export async function exportRle(id: string): Promise<string> {
  const response = await api(`/api/rooms/${id}/pattern`);
  if (response.status !== 200) throw new Error(`export failed: ${response.status}`);
  return response.text();
}

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** A player's socket: every decoded server frame lands in an inbox that `next` takes from. */
export class Player {
  readonly ws: WebSocket;
  readonly mirror = new GridMirror();
  readonly inbox: ServerMessage[] = [];
  /** Every frame as it arrived, undecoded (to search for bytes that must never be sent). */
  readonly raw: Uint8Array[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** KEYFRAME + DELTA frames received, for RECEIVED. */
  frames = 0;
  /** Whether to answer every KEYFRAME and DELTA with RECEIVED, as a well-behaved client does. */
  autoAck = true;
  readonly #arrived = new Signal();

  constructor(ws: WebSocket) {
    this.ws = ws;
    // Client sockets default to Blob messages at this compatibility date.
    ws.binaryType = "arraybuffer";
    ws.accept();
    this.closed = new Promise((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
    ws.addEventListener("message", (event) => {
      if (!(event.data instanceof ArrayBuffer)) throw new Error("server sent a text frame");
      this.raw.push(new Uint8Array(event.data.slice(0)));
      const decoded = decodeServerFrame(event.data);
      if (!decoded.ok) throw new Error(`server sent an undecodable frame: ${decoded.error.reason}`);
      const m = decoded.value;
      if (m.type === "keyframe" || m.type === "delta") {
        this.frames++;
        this.mirror.apply(m);
        if (this.autoAck) this.send({ type: "received", frames: this.frames });
      }
      this.inbox.push(m);
      this.#arrived.wake();
    });
  }

  /** Opens a socket from a fresh client address (so per-address socket limits of one test do not
   *  reach into another) unless `headers` names one. */
  static async connect(id: string, headers: Record<string, string> = {}): Promise<Player> {
    const response = await SELF.fetch(`${BASE}/api/rooms/${id}/ws`, { headers: { Upgrade: "websocket", "CF-Connecting-IP": freshAddress(), ...headers } });
    if (response.status !== 101 || !response.webSocket) throw new Error(`upgrade failed: ${response.status}`);
    return new Player(response.webSocket);
  }

  /** Connects and says HELLO; resolves once the WELCOME and first KEYFRAME arrived. */
  static async join(id: string, name = "tester", token: string | null = null): Promise<Player> {
    const player = await Player.connect(id);
    player.send({ type: "hello", name, resumeGeneration: null, token });
    await player.next("welcome");
    await player.next("keyframe");
    return player;
  }

  send(m: ClientMessage | Uint8Array | ArrayBuffer | string): void {
    this.ws.send(typeof m === "string" || m instanceof Uint8Array || m instanceof ArrayBuffer ? m : encodeClientMessage(m));
  }

  /** Takes the first message of `type` (and matching `where`) from the inbox, waiting for it. */
  async next<T extends ServerMessage["type"]>(type: T, where: (m: Of<T>) => boolean = () => true, timeoutMs = 5000): Promise<Of<T>> {
    let i = -1;
    await this.#arrived.until(
      () => (i = this.inbox.findIndex((m) => m.type === type && where(m as Of<T>))) >= 0,
      timeoutMs,
      () => `no ${type} within ${timeoutMs} ms; inbox: ${this.inbox.map((m) => m.type).join(", ")}`,
    );
    return this.inbox.splice(i, 1)[0] as Of<T>;
  }

  /** Waits until the mirror has reached `generation` (from keyframes and deltas). */
  async until(generation: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.mirror.generation < generation) {
      await this.next("delta", () => true, Math.max(1, deadline - Date.now())).catch(() => {
        throw new Error(`mirror stuck at generation ${this.mirror.generation}, wanted ${generation}`);
      });
    }
  }

  /** Empties the inbox. */
  drain(): ServerMessage[] {
    return this.inbox.splice(0);
  }

  close(): void {
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}
