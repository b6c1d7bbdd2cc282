/**
 * Frame sync: keeps what the page holds of the grid (the known region, known-region.ts) in step
 * with the room's frames.
 *
 * - KEYFRAME: the region starts again from its bits (at a scale above 1, its density levels); at
 *   scale 1 so does the page's own engine.
 * - DELTA: the changed tiles are copied in (at scale 1 with prediction on, they go through the
 *   engine instead).
 * - STEP (lockstep prediction, common/lockstep/): the page's engine steps its own cells and
 *   corrects the band at the rectangle's edges; the blocks that changed go to the region.
 *
 * A frame that cannot be applied asks for RESYNC (the room answers with a keyframe), and every
 * KEYFRAME/DELTA/STEP handled is reported with RECEIVED for flow control.
 */
import {
  type ClientMessage,
  type RoomSettings,
  type ServerMessage,
  decodePayload,
  keyframeBytes,
  tileBytes,
} from "../../common/protocol/index.ts";
import { type FrameOutcome, LockstepView } from "../../common/lockstep/client.ts";
import { KnownRegion } from "../known-region.ts";

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

export interface FrameSyncHandlers {
  send(message: ClientMessage): boolean;
  /** The region now holds this generation. */
  generation(generation: number): void;
  /** The region's cells changed: draw again. */
  changed(): void;
}

export class FrameSync {
  /** The page's own engine on its rectangle at scale 1; undefined when Wasm did not load. */
  readonly #lockstep: LockstepView | undefined;
  readonly #aliveColour: number;
  readonly #handlers: FrameSyncHandlers;
  #region: KnownRegion | undefined;
  #framesReceived = 0;

  /** `aliveColour`: live cells' pixels, a packed RGBA word (palette.ts). */
  constructor(module: WebAssembly.Module | null, aliveColour: number, handlers: FrameSyncHandlers) {
    this.#lockstep = module ? new LockstepView(module) : undefined;
    this.#aliveColour = aliveColour;
    this.#handlers = handlers;
  }

  /** Whether the page can predict (and so asks for STEP frames in HELLO). */
  get predicts(): boolean {
    return this.#lockstep !== undefined;
  }

  get lockstep(): LockstepView | undefined {
    return this.#lockstep;
  }

  get region(): KnownRegion | undefined {
    return this.#region;
  }

  /** WELCOME: a new connection, whose frames the server counts from zero. */
  welcome(): void {
    this.#framesReceived = 0;
  }

  /** WELCOME and SETTINGS: the engine follows the room's shape and rule. */
  settings(settings: RoomSettings): void {
    this.#lockstep?.settings(settings);
  }

  async keyframe(message: Of<"keyframe">): Promise<void> {
    // The payload's length follows from the frame's scale: cells at 1, density levels above.
    const raw = await decodePayload(message.codec, message.payload, keyframeBytes(message.width, message.height, message.scale));
    this.#frameReceived();
    if (!raw) {
      this.#handlers.send({ type: "resync" });
      return;
    }
    this.#region = new KnownRegion(message.scale, message.x, message.y, message.width, message.height, message.generation, raw, this.#aliveColour);
    await this.#lockstep?.keyframe(message, raw);
    this.#handlers.generation(message.generation);
    this.#handlers.changed();
  }

  async delta(message: Of<"delta">): Promise<void> {
    if (this.#lockstep?.active && message.scale === 1) {
      this.#predicted(await this.#lockstep.delta(message), message.generation);
      return;
    }
    const region = this.#region;
    const usable = region !== undefined && region.scale === message.scale;
    const tiles = usable ? await Promise.all(message.tiles.map((t) => decodePayload(t.codec, t.payload, tileBytes(message.scale)))) : [];
    this.#frameReceived();
    if (!usable || region !== this.#region) return; // scale changed in flight; a keyframe follows
    let broken = false;
    tiles.forEach((raw, i) => {
      if (raw) region.applyTile(message.tiles[i].tx, message.tiles[i].ty, raw);
      else broken = true;
    });
    if (broken) this.#handlers.send({ type: "resync" });
    region.generation = message.generation;
    this.#handlers.generation(message.generation);
    this.#handlers.changed();
  }

  async step(message: Of<"step">): Promise<void> {
    if (this.#lockstep) this.#predicted(await this.#lockstep.step(message), message.to);
    else this.#frameReceived(); // never sent to a page that did not ask; counted all the same
  }

  /** After a STEP or DELTA went into the page's engine: the changed blocks go to the region. */
  #predicted(outcome: FrameOutcome, generation: number): void {
    this.#frameReceived();
    if (outcome === "resync") this.#handlers.send({ type: "resync" });
    const region = this.#region;
    if (outcome !== "applied" || !region) return;
    this.#lockstep?.drainChanges((x, y, bits) => region.applyBlock(x, y, bits));
    region.generation = generation;
    this.#handlers.generation(generation);
    this.#handlers.changed();
  }

  #frameReceived(): void {
    // Flow control (docs/protocol.md): report every KEYFRAME/DELTA/STEP once handled, so a client
    // that cannot keep up is paused by the server and later resynced with one keyframe.
    this.#framesReceived++;
    this.#handlers.send({ type: "received", frames: this.#framesReceived });
  }
}
