/**
 * The settings block, inside WELCOME and SETTINGS frames:
 *
 *   +0 width u16 | +2 height u16 | +4 topology u8 (0 plane, 1 torus) | +5 birth u16 | +7 survive u16
 *   +9 tickMs u32 | +13 generationsPerTick u16 | +15 flags u8 | +16 nameLen u8 | +17 name (UTF-8)
 *   flags: bit0 running, bit1 private, bit2 locked
 */
import { type Reader, type Writer, fail } from "./bytes.ts";
import { MAX_GRID_SIDE, MIN_GRID_SIDE } from "./limits.ts";
import type { RoomSettings } from "./messages.ts";

export function writeSettings(w: Writer, s: RoomSettings): void {
  w.u16(s.width).u16(s.height).u8(s.topology === "torus" ? 1 : 0).u16(s.rule.birth).u16(s.rule.survive);
  w.u32(s.tickMs).u16(s.generationsPerTick);
  w.u8((s.running ? 1 : 0) | (s.private ? 2 : 0) | (s.locked ? 4 : 0));
  w.text8(s.name);
}

export function readSettings(r: Reader): RoomSettings {
  const width = r.u16();
  const height = r.u16();
  const topologyByte = r.u8();
  const birth = r.u16();
  const survive = r.u16();
  const tickMs = r.u32();
  const generationsPerTick = r.u16();
  const flags = r.u8();
  const name = r.text8();
  if (width < MIN_GRID_SIDE || width > MAX_GRID_SIDE || height < MIN_GRID_SIDE || height > MAX_GRID_SIDE) fail("bad grid size");
  if (topologyByte > 1 || birth >= 512 || survive >= 512 || flags > 7) fail("bad settings");
  return {
    name,
    width,
    height,
    topology: topologyByte === 1 ? "torus" : "plane",
    rule: { birth, survive },
    tickMs,
    generationsPerTick,
    running: (flags & 1) !== 0,
    private: (flags & 2) !== 0,
    locked: (flags & 4) !== 0,
  };
}
