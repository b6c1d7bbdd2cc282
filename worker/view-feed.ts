/**
 * What each player's view is sent: a KEYFRAME when it joins, moves its viewport, asks to resync
 * or catches up, and at every change (a tick, or an edit while paused) a DELTA of its changed
 * tiles, or a STEP when it predicts (common/lockstep/). A socket that is behind (see
 * PlayerSession) gets nothing until it catches up, and is closed when it stalls.
 */
import type { Engine } from "../common/engine.ts";
import { CloseCode } from "../common/protocol/index.ts";
import { Lockstep, type StepCapture } from "../common/lockstep/broadcast.ts";
import { DeltaBuilder, defaultViewport, keyframe, viewRect } from "../common/view-frames.ts";
import type { PlayerSession } from "./session.ts";
import type { RoomSockets } from "./sockets.ts";

export class ViewFeed {
  readonly #sockets: RoomSockets;
  /** Which sockets predict, and at which generation each one's view stands. */
  readonly #lockstep = new Lockstep<WebSocket>((ws) => ws.readyState === WebSocket.OPEN);

  constructor(sockets: RoomSockets) {
    this.#sockets = sockets;
  }

  /** Sends a KEYFRAME of the session's viewport (the whole grid until it asks for another). */
  keyframe(session: PlayerSession, engine: Engine): void {
    session.att.view ??= defaultViewport(engine.width, engine.height);
    session.rect = viewRect(session.att.view, engine.width, engine.height);
    session.sendCounted(keyframe(engine, session.rect));
    this.#lockstep.keyframeSent(session.ws, session.rect, engine.generation, session.att.predict === true);
  }

  /** A RECEIVED: false when it counts frames never sent; a socket that caught up gets one fresh
   *  keyframe. */
  received(session: PlayerSession, frames: number, engine: Engine): boolean {
    const result = session.received(frames);
    if (result === "lie") return false;
    if (result === "caught up") this.keyframe(session, engine);
    return true;
  }

  /** Closes a socket that has been behind for STALLED_SOCKET_MS; true when it did. */
  closeIfStalled(session: PlayerSession, now: number): boolean {
    if (!session.stalled(now)) return false;
    this.#sockets.close(session.ws, CloseCode.TOO_SLOW, "not reading frames; reconnect");
    return true;
  }

  /** Call just before stepping: what predicting sockets need of the grid as it was (see
   *  Lockstep.capture); null when none predicts. */
  captureStep(engine: Engine): StepCapture | null {
    return this.#lockstep.capture(engine);
  }

  /** A socket left (see Lockstep.forget). */
  forget(ws: WebSocket): void {
    this.#lockstep.forget(ws);
  }

  /** Sends every player the tiles of `map` (what changed since the last broadcast) in its view. A
   *  predicting player gets a STEP instead when `capture` (taken just before a step) is given. */
  broadcast(engine: Engine, map: ReturnType<Engine["changeMap"]>, capture: StepCapture | null): void {
    const deltas = new DeltaBuilder(engine, map);
    const frames = this.#lockstep.frames(engine, map, capture);
    const now = Date.now();
    for (const session of this.#sockets.players()) {
      if (session.behind) {
        this.closeIfStalled(session, now);
        continue;
      }
      if (!session.rect) {
        // Woken from hibernation (or evicted and restored): what the client holds is unknown.
        this.keyframe(session, engine);
        continue;
      }
      const frame = frames.frameFor(session.ws, session.rect, deltas);
      if (frame) session.sendCounted(frame);
    }
  }
}
