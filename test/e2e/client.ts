/**
 * A player over a real `ws` socket from Node, for end-to-end tests: decodes every frame, keeps a
 * GridMirror of what it sees, and acknowledges frames as docs/protocol.md asks.
 */
import WebSocket from "ws";
import { decodeServerFrame, encodeClientMessage, type ClientMessage, type ServerMessage } from "../../common/protocol/index.ts";
import { Signal } from "../signal.ts";
import { GridMirror } from "./mirror.ts";

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

export class WsPlayer {
  readonly mirror = new GridMirror();
  readonly inbox: ServerMessage[] = [];
  frames = 0;
  readonly #arrived = new Signal();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      if (!isBinary || !(data instanceof Buffer)) throw new Error("server sent a text frame");
      const decoded = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!decoded.ok) throw new Error(`undecodable server frame: ${decoded.error.reason}`);
      const m = decoded.value;
      if (m.type === "keyframe" || m.type === "delta") {
        this.frames++;
        this.mirror.apply(m);
        this.send({ type: "received", frames: this.frames });
      }
      this.inbox.push(m);
      this.#arrived.wake();
    });
  }

  /** Opens a socket to the room and says HELLO; resolves after WELCOME and the first KEYFRAME. */
  static async join(baseUrl: string, roomId: string, name: string, token: string | null = null): Promise<WsPlayer> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/rooms/${roomId}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const player = new WsPlayer(ws);
    player.send({ type: "hello", name, resumeGeneration: null, token });
    await player.next("welcome");
    await player.next("keyframe");
    return player;
  }

  send(m: ClientMessage): void {
    this.ws.send(encodeClientMessage(m));
  }

  async next<T extends ServerMessage["type"]>(type: T, where: (m: Of<T>) => boolean = () => true, timeoutMs = 10_000): Promise<Of<T>> {
    let i = -1;
    await this.#arrived.until(() => (i = this.inbox.findIndex((m) => m.type === type && where(m as Of<T>))) >= 0, timeoutMs, () => `no ${type} within ${timeoutMs} ms`);
    return this.inbox.splice(i, 1)[0] as Of<T>;
  }

  /** Waits until this player's view has reached `generation`. */
  async until(generation: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.mirror.generation < generation) {
      if (Date.now() > deadline) throw new Error(`view stuck at generation ${this.mirror.generation}, wanted ${generation}`);
      await this.next("delta", () => true, Math.max(1, deadline - Date.now())).catch(() => undefined);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", () => resolve());
      this.ws.close(1000, "done");
    });
  }
}
