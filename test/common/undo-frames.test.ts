// UNDO and REDO on the wire, the "continues" bit of SET_CELLS and STAMP, and the NOTHING_TO_UNDO
// error: golden bytes from docs/protocol.md's layouts, and strict decoding.
import { describe, expect, it } from "vitest";
import { ErrorCode, decodeClientFrame, decodeServerFrame, encodeClientMessage, encodeServerMessage, type ClientMessage } from "../../common/protocol/index.ts";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
const bytesOf = (spaced: string) => Uint8Array.from(spaced.split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16)));

const golden: Array<[string, ClientMessage, string]> = [
  ["UNDO, seq 0x01020304", { type: "undo", seq: 0x01020304 }, "01 49  04 03 02 01"],
  ["REDO, seq 7", { type: "redo", seq: 7 }, "01 4a  07 00 00 00"],
  [
    "SET_CELLS that continues the previous edit: flags 0x81 (alive, continues)",
    { type: "setCells", seq: 3, alive: true, cells: new Uint16Array([1, 2]), continues: true },
    "01 43  03 00 00 00  81  01 00  01 00 02 00",
  ],
  [
    "SET_CELLS clearing, continuing: flags 0x80",
    { type: "setCells", seq: 4, alive: false, cells: new Uint16Array([5, 6]), continues: true },
    "01 43  04 00 00 00  80  01 00  05 00 06 00",
  ],
  [
    "STAMP replace that continues the previous edit: mode 0x81",
    { type: "stamp", seq: 2, x: 1, y: 2, mode: "replace", pattern: "o!", continues: true },
    "01 44  02 00 00 00  01 00 00 00  02 00 00 00  81  6f 21",
  ],
];

describe("UNDO and REDO frames, and edits that continue the previous one", () => {
  for (const [what, message, expected] of golden) {
    it(`${what} encodes to its golden bytes and decodes back`, () => {
      expect(hex(encodeClientMessage(message))).toBe(hex(bytesOf(expected)));
      expect(decodeClientFrame(bytesOf(expected))).toEqual({ ok: true, value: message });
    });
  }

  it("an edit without the bit decodes with no `continues` at all, as before", () => {
    const decoded = decodeClientFrame(bytesOf("01 43  03 00 00 00  01  01 00  01 00 02 00"));
    expect(decoded).toEqual({ ok: true, value: { type: "setCells", seq: 3, alive: true, cells: new Uint16Array([1, 2]) } });
    expect(hex(encodeClientMessage({ type: "stamp", seq: 2, x: 1, y: 2, mode: "or", pattern: "o!", continues: false }))).toBe(
      "01 44 02 00 00 00 01 00 00 00 02 00 00 00 00 6f 21",
    );
  });

  it("refuses an UNDO or REDO one byte short or one byte long", () => {
    for (const frame of ["01 49  04 03 02", "01 4a  07 00 00", "01 49", "01 49  04 03 02 01  00", "01 4a  07 00 00 00  07"]) {
      expect(decodeClientFrame(bytesOf(frame)), frame).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_FRAME } });
    }
  });

  it("refuses flag bits other than alive/mode and continues", () => {
    for (const frame of [
      "01 43  03 00 00 00  41  01 00  01 00 02 00", // bit6
      "01 43  03 00 00 00  82  01 00  01 00 02 00", // continues with alive 2
      "01 44  02 00 00 00  01 00 00 00  02 00 00 00  c0  6f 21", // bit6 with continues
      "01 44  02 00 00 00  01 00 00 00  02 00 00 00  82  6f 21", // mode 2 with continues
    ]) {
      expect(decodeClientFrame(bytesOf(frame)).ok, frame).toBe(false);
    }
  });

  it("NOTHING_TO_UNDO is error code 14, and an ERROR carrying it decodes as such", () => {
    expect(ErrorCode.NOTHING_TO_UNDO).toBe(14);
    const frame = encodeServerMessage({ type: "error", code: ErrorCode.NOTHING_TO_UNDO, seq: 9, reason: "nothing to undo" });
    expect(hex(frame)).toBe(hex(bytesOf("01 08  0e 00  09 00 00 00  0f  " + hex(new TextEncoder().encode("nothing to undo")))));
    expect(decodeServerFrame(frame)).toEqual({ ok: true, value: { type: "error", code: 14, seq: 9, reason: "nothing to undo" } });
  });
});
