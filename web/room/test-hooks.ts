/**
 * Read-only test hooks for the browser tests (test/web/), on `window.__edgelife`: the state they
 * cannot read from the pixels alone. Nothing here changes the room; the tests drive the page
 * through its controls.
 */
import type { PendingEdits } from "../pending-edits.ts";
import type { RoomConnection } from "./connection.ts";
import type { FrameSync } from "./frame-sync.ts";
import type { RoomSession } from "./session.ts";
import type { RoomStatus } from "./status.ts";
import type { Viewport } from "./viewport.ts";

export interface HookSources {
  session: RoomSession;
  status: RoomStatus;
  connection: RoomConnection;
  frames: FrameSync;
  viewport: Viewport;
  pending(): PendingEdits | undefined;
}

export function exposeTestHooks({ session, status, connection, frames, viewport, pending }: HookSources): void {
  const hooks = {
    get generation() {
      return status.generation;
    },
    get population() {
      return status.population;
    },
    get connected() {
      return connection.state.kind === "open" && session.playerId >= 0;
    },
    get owner() {
      return session.owner;
    },
    get playerId() {
      return session.playerId;
    },
    get players() {
      return status.playerCount;
    },
    get running() {
      return session.settings?.running ?? false;
    },
    get pending() {
      return pending()?.size ?? 0;
    },
    get view() {
      const v = viewport.view;
      return v ? { cx: v.cx, cy: v.cy, scale: v.scale, width: v.width, height: v.height } : undefined;
    },
    get region() {
      const r = frames.region;
      return r ? { x: r.x, y: r.y, width: r.width, height: r.height, scale: r.scale, generation: r.generation, alive: r.countAlive() } : undefined;
    },
    /** Where the centre of grid cell (x, y) is, in CSS pixels relative to the board canvas. */
    cellToScreen(x: number, y: number) {
      return viewport.view?.cellToScreen(x + 0.5, y + 0.5);
    },
    /** Lockstep prediction: whether the page runs the engine on its region, and what it did. */
    get lockstep() {
      const l = frames.lockstep;
      return l ? { active: l.active, ...l.counts } : undefined;
    },
    /** The cell as the page knows it (region bits), or undefined outside the known region. */
    cellAt(x: number, y: number) {
      return frames.region?.cellAt(x, y);
    },
  };
  Object.defineProperty(window, "__edgelife", { value: Object.freeze(hooks), configurable: false, writable: false });
}
