/**
 * What the server told this page about itself and its room: the player's id and colour, whether
 * the page holds the owner's token, and the room's settings (WELCOME, SETTINGS, and the running
 * flag in STATS). The page writes it as those frames arrive; the other parts only read it.
 */
import type { RoomSettings } from "../../common/protocol/index.ts";

export class RoomSession {
  playerId = -1;
  colour = 0xffffff;
  owner = false;
  settings: RoomSettings | undefined;

  constructor(
    readonly id: string,
    /** The owner token this browser saved when it created the room (browser-storage.ts). */
    readonly token: string | undefined,
    /** The room's name: from the HTTP answer at first, then from its settings. */
    public name: string,
  ) {}

  /** The owner may edit a locked room; everyone else only an unlocked one. */
  canEdit(): boolean {
    return this.owner || !this.settings?.locked;
  }
}
