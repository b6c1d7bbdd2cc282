import { describe, expect, it } from "vitest";
import { decodeClientFrame, encodeClientMessage } from "../../common/protocol/index.ts";

describe("UNDO and REDO frames", () => {
  it("are the version, the type and the request's seq, little-endian", () => {
    expect([...encodeClientMessage({ type: "undo", seq: 0x01020304 })]).toEqual([1, 0x49, 4, 3, 2, 1]);
    expect([...encodeClientMessage({ type: "redo", seq: 7 })]).toEqual([1, 0x4a, 7, 0, 0, 0]);
  });

  it("decode to the same values, and refuse a frame of the wrong length", () => {
    expect(decodeClientFrame(new Uint8Array([1, 0x49, 4, 3, 2, 1]))).toEqual({ ok: true, value: { type: "undo", seq: 0x01020304 } });
    expect(decodeClientFrame(new Uint8Array([1, 0x4a, 7, 0, 0, 0]))).toEqual({ ok: true, value: { type: "redo", seq: 7 } });
    expect(decodeClientFrame(new Uint8Array([1, 0x49, 4, 3, 2])).ok).toBe(false);
    expect(decodeClientFrame(new Uint8Array([1, 0x4a, 7, 0, 0, 0, 0])).ok).toBe(false);
  });
});
