/**
 * The overview frames: KEYFRAME and DELTA at a scale above 1, as the room builds them
 * (common/view-frames.ts), carry each scaled cell's 2-bit density level. Pinned byte for byte, with
 * the decoders' length checks; scale 1 is pinned beside them to show it is one bit per cell as
 * before.
 *
 * The grid of every frame here is a 128×128 torus; at scale 4 it is 32×32 scaled cells, one tile:
 *
 *   a block at (0, 0)–(1, 1)    4 of the 16 cells of scaled cell (0, 0): 1/4    → level 2
 *   a solid 4×4 at (8, 0)       16 of the 16 cells of scaled cell (2, 0)        → level 3
 *   one cell at (20, 4)         1 of the 16 cells of scaled cell (5, 1): 1/16   → level 1
 *
 *   scaled row 0, byte 0:  | cell 3: 00 | cell 2: 11 | cell 1: 00 | cell 0: 10 |  = 0x32
 *   scaled row 1, byte 1:  | cell 7: 00 | cell 6: 00 | cell 5: 01 | cell 4: 00 |  = 0x04
 */
import { describe, expect, it } from "vitest";
import { densityLevel } from "../../common/density.ts";
import { type Engine } from "../../common/engine.ts";
import { LIFE } from "../../common/rules.ts";
import { DeltaBuilder, keyframe, viewRect } from "../../common/view-frames.ts";
import { createEngine } from "../../common/wasm-node.ts";
import {
  Codec,
  DENSITY_TILE_BYTES,
  TILE_BYTES,
  bitsPerCell,
  decodePayload,
  decodeServerFrame,
  keyframeBytes,
  tileBytes,
} from "../../common/protocol/index.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.trim().split(/\s+/), (b) => parseInt(b, 16));
}

/** The grid drawn at the top of this file. */
async function grid(): Promise<Engine> {
  const engine = await createEngine({ width: 128, height: 128, topology: "torus", rule: LIFE });
  const cells = [0, 0, 1, 0, 0, 1, 1, 1]; // the block
  for (let y = 0; y < 4; y++) for (let x = 8; x < 12; x++) cells.push(x, y); // the solid 4×4
  cells.push(20, 4);
  engine.setCells(cells, true);
  engine.clearChanges();
  return engine;
}

const WHOLE_GRID_AT_4 = viewRect({ x: 0, y: 0, width: 128, height: 128, scale: 4 }, 128, 128);

/** The scale-4 view's levels as RUNS: byte 0x32, 8 zeros (to row 1's byte 1), 0x04, then zeros. */
const KEYFRAME_AT_4 =
  "01 02 | 00 00 00 00 00 00 00 00 | 04 00 | 00 00 | 00 00 | 20 00 | 20 00 | 01 | " +
  "00 01 32 | 08 01 04 | f6 01 00"; // 246 zeros to the end of 32 rows × 8 bytes

describe("overview frames at scale 4 (2-bit density levels)", () => {
  it("a KEYFRAME carries ceil(width/4) bytes per row of levels: 2 for the block, 3 for the solid square, 1 for the lone cell", async () => {
    const frame = keyframe(await grid(), WHOLE_GRID_AT_4);
    //            version type | generation u64 | scale | x | y | width 32 | height 32 | codec RUNS | payload
    expect(hex(frame)).toBe(hex(fromHex(KEYFRAME_AT_4.replaceAll("|", ""))));
    const decoded = decodeServerFrame(frame);
    if (!decoded.ok || decoded.value.type !== "keyframe") throw new Error("not a keyframe");
    const raw = await decodePayload(decoded.value.codec, decoded.value.payload, keyframeBytes(32, 32, 4));
    expect(raw?.length).toBe(256);
    expect([raw?.[0], raw?.[9]]).toEqual([0x32, 0x04]);
  });

  it("a DELTA tile covers 64×64 scaled cells in 1024 bytes, 16 per row", async () => {
    const engine = await grid();
    engine.setCells([21, 4], true); // a second cell in scaled cell (5, 1): 2 of 16 = 1/8 → level 2
    const frame = new DeltaBuilder(engine, engine.changeMap()).frameFor(WHOLE_GRID_AT_4);
    //   version type | generation | scale 4 | count 1 | tx 0 | ty 0 | codec RUNS | length 9 | payload
    // payload: 0x32, 16 zeros (to row 1's byte 1), 0x08 (cell 5 at level 2), 1006 zeros (ee 07).
    expect(hex(frame!)).toBe(
      hex(fromHex("01 03  00 00 00 00 00 00 00 00  04 00  01 00  00 00  00 00  01  09 00  00 01 32  10 01 08  ee 07 00")),
    );
    const decoded = decodeServerFrame(frame!);
    if (!decoded.ok || decoded.value.type !== "delta") throw new Error("not a delta");
    const tile = decoded.value.tiles[0];
    const raw = await decodePayload(tile.codec, tile.payload, tileBytes(decoded.value.scale));
    expect(raw?.length).toBe(DENSITY_TILE_BYTES);
    expect([raw?.[0], raw?.[17]]).toEqual([0x32, 0x08]);
  });

  it("a change is sent in the scaled tile over it: grid cell (300, 10) at scale 4 is in tile (1, 0)", async () => {
    const engine = await createEngine({ width: 1024, height: 1024, topology: "torus", rule: LIFE });
    engine.setCells([300, 10], true);
    const frame = new DeltaBuilder(engine, engine.changeMap()).frameFor(viewRect({ x: 0, y: 0, width: 1024, height: 1024, scale: 4 }, 1024, 1024));
    const decoded = decodeServerFrame(frame!);
    if (!decoded.ok || decoded.value.type !== "delta") throw new Error("not a delta");
    expect(decoded.value.tiles.map((t) => [t.tx, t.ty])).toEqual([[1, 0]]);
    const raw = await decodePayload(decoded.value.tiles[0].codec, decoded.value.tiles[0].payload, tileBytes(4));
    // Scaled cell (75, 2) is (11, 2) in the tile: byte 2·16 + 2, bits 6–7; one cell of 16 is level 1.
    expect(raw?.[34]).toBe(0b01_00_00_00);
    expect(raw?.reduce((n, b) => n + (b !== 0 ? 1 : 0), 0)).toBe(1);
  });

  it("decoders refuse a payload of the one-bit length at a scale above 1, and the two-bit length at scale 1", async () => {
    const frame = decodeServerFrame(keyframe(await grid(), WHOLE_GRID_AT_4));
    if (!frame.ok || frame.value.type !== "keyframe") throw new Error("not a keyframe");
    expect(await decodePayload(frame.value.codec, frame.value.payload, keyframeBytes(32, 32))).toBeNull();
    expect(await decodePayload(Codec.NONE, new Uint8Array(TILE_BYTES), tileBytes(2))).toBeNull();
    expect(await decodePayload(Codec.NONE, new Uint8Array(DENSITY_TILE_BYTES), tileBytes(1))).toBeNull();
    expect(await decodePayload(Codec.RUNS, fromHex("80 04 00"), tileBytes(4))).toBeNull(); // 512 zeros: half a tile
    expect(await decodePayload(Codec.RUNS, fromHex("80 08 00"), tileBytes(4))).toEqual(new Uint8Array(1024));
  });

  it("sizes payloads by the frame's scale: one bit per cell at scale 1, two above", () => {
    expect([1, 2, 4, 256].map(bitsPerCell)).toEqual([1, 2, 2, 2]);
    expect([tileBytes(1), tileBytes(2), tileBytes(256)]).toEqual([512, 1024, 1024]);
    expect([keyframeBytes(32, 32), keyframeBytes(32, 32, 1), keyframeBytes(32, 32, 4), keyframeBytes(5, 3, 2), keyframeBytes(9, 3, 1)]).toEqual([128, 128, 256, 6, 6]);
  });

  it("puts a block's share on its level: none, up to 1/16, up to 1/4, above", () => {
    expect([0, 1, 16, 17, 64, 65, 256].map((live) => densityLevel(live, 256))).toEqual([0, 1, 1, 2, 2, 3, 3]);
    expect([0, 1, 2].map((live) => densityLevel(live, 4))).toEqual([0, 2, 3]); // scale 2: one cell of four is 1/4
    expect(densityLevel(1, 16)).toBe(1); // scale 4: one cell of sixteen is 1/16
    expect(densityLevel(3, 40)).toBe(2); // a block cut by the grid's edge (5 × 8 cells inside): 3/40 > 1/16
  });
});

describe("frames at scale 1 (unchanged: one bit per cell)", () => {
  it("a KEYFRAME of the same grid's first tile packs cells 8 to a byte", async () => {
    const frame = keyframe(await grid(), viewRect({ x: 0, y: 0, width: 64, height: 64, scale: 1 }, 128, 128));
    // Rows 0–1: 03 0f (block, solid); rows 2–3: 0f at byte 1; row 4: 10 at byte 2 (cell 20); RUNS.
    expect(hex(frame)).toBe(
      hex(
        fromHex(
          "01 02  00 00 00 00 00 00 00 00  01 00  00 00  00 00  40 00  40 00  01  " +
            "00 02 03 0f  06 02 03 0f  07 01 0f  07 01 0f  08 01 10  dd 03 00",
        ),
      ),
    );
  });
});
