// The wire format, pinned byte for byte. The expected bytes below are written by hand from the
// layouts in common/protocol/ and docs/protocol.md, never produced by the encoder under test.
import { describe, expect, it } from "vitest";
import {
  CloseCode,
  Codec,
  DELTA_HEADER_BYTES,
  ErrorCode,
  KEYFRAME_HEADER_BYTES,
  MAX_CELLS_PER_EDIT,
  MAX_CLIENT_FRAME_BYTES,
  STAMP_HEADER_BYTES,
  STEP_CHECKSUM_BYTES,
  STEP_HEADER_BYTES,
  TILE_BYTES,
  TILE_RECORD_HEADER_BYTES,
  assembleDelta,
  assembleStep,
  decodeClientFrame,
  decodePayload,
  decodeRuns,
  decodeServerFrame,
  encodeClientMessage,
  encodePayload,
  encodeRuns,
  encodeServerMessage,
  encodeTileRecord,
  inflateRaw,
  isRoomId,
  keyframeBytes,
  parseControlJson,
  sanitizeName,
  TERMINAL_CLOSE_CODES,
  REFUSAL_CLOSE_CODES,
  type ClientMessage,
  type RoomSettings,
  type ServerMessage,
} from "../../common/protocol/index.ts";
import { Prng } from "../assembly/prng.ts";

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
const bytesOf = (text: string): Uint8Array => new Uint8Array(text.trim().split(/\s+/).map((h) => parseInt(h, 16)));

const SETTINGS: RoomSettings = {
  name: "Hi",
  width: 64,
  height: 32,
  topology: "torus",
  rule: { birth: 0b1000, survive: 0b1100 }, // B3/S23
  tickMs: 100,
  generationsPerTick: 1,
  running: true,
  private: false,
  locked: true,
};
//                  width  height torus  birth  survive tickMs        gpt   flags len  "Hi"
const SETTINGS_HEX = "40 00  20 00  01     08 00  0c 00   64 00 00 00   01 00 05    02   48 69";

const serverGolden: Array<[string, ServerMessage, string]> = [
  [
    "WELCOME: player 7, owner, generation 1103, then the settings block",
    { type: "welcome", playerId: 7, colour: 0x3cb44b, owner: true, generation: 1103, settings: SETTINGS },
    `01 01  07 00 00 00  4b b4 3c 00  01  4f 04 00 00 00 00 00 00  ${SETTINGS_HEX}`,
  ],
  [
    "KEYFRAME: a 3×2 rectangle at scale 2, raw payload",
    { type: "keyframe", generation: 5, scale: 2, x: 64, y: 0, width: 3, height: 2, codec: Codec.NONE, payload: new Uint8Array([5, 2]) },
    "01 02  05 00 00 00 00 00 00 00  02 00  40 00  00 00  03 00  02 00  00  05 02",
  ],
  [
    "DELTA: one empty tile in RUNS",
    { type: "delta", generation: 2, scale: 1, tiles: [{ tx: 1, ty: 2, codec: Codec.RUNS, payload: new Uint8Array([0x80, 0x04, 0x00]) }] },
    "01 03  02 00 00 00 00 00 00 00  01 00  01 00  01 00 02 00 01 03 00 80 04 00",
  ],
  [
    "PRESENCE: one moved cursor, one player left",
    { type: "presence", full: false, players: [{ id: 3, colour: 0xff0000, x: 10, y: -1, name: "A" }], left: [9] },
    "01 04  00  01 00  03 00 00 00  00 00 ff 00  0a 00 00 00  ff ff ff ff  01 41  01 00  09 00 00 00",
  ],
  [
    "STATS: generation 1, 5 cells, 2.5 generations/s, 3 players, running",
    { type: "stats", generation: 1, population: 5, generationsPerSecond: 2.5, players: 3, running: true, still: false },
    "01 05  01 00 00 00 00 00 00 00  05 00 00 00  00 00 20 40  03 00  01",
  ],
  ["SETTINGS", { type: "settings", generation: 0, settings: SETTINGS }, `01 06  00 00 00 00 00 00 00 00  ${SETTINGS_HEX}`],
  ["ACK: seq 42 at generation 7", { type: "ack", seq: 42, generation: 7 }, "01 07  2a 00 00 00  07 00 00 00 00 00 00 00"],
  ["ERROR: rate limited, seq 42", { type: "error", code: ErrorCode.RATE_LIMITED, seq: 42, reason: "slow" }, "01 08  05 00  2a 00 00 00  04 73 6c 6f 77"],
];

const clientGolden: Array<[string, ClientMessage, string]> = [
  ["HELLO: Bo resuming at 12 with a token", { type: "hello", name: "Bo", resumeGeneration: 12, token: "abc" }, "01 41  01  0c 00 00 00 00 00 00 00  02 42 6f  03 61 62 63"],
  ["HELLO: no resume, no token", { type: "hello", name: "", resumeGeneration: null, token: null }, "01 41  00  00 00 00 00 00 00 00 00  00  00"],
  [
    "VIEWPORT: 800×600 cells from (-64, 0) at scale 4",
    { type: "viewport", x: -64, y: 0, width: 800, height: 600, scale: 4 },
    "01 42  c0 ff ff ff  00 00 00 00  20 03 00 00  58 02 00 00  04 00",
  ],
  [
    "SET_CELLS: two cells alive",
    { type: "setCells", seq: 1, alive: true, cells: new Uint16Array([1, 2, 3, 4]) },
    "01 43  01 00 00 00  01  02 00  01 00 02 00 03 00 04 00",
  ],
  ["STAMP: one cell, replace, at (-1, 5)", { type: "stamp", seq: 2, x: -1, y: 5, mode: "replace", pattern: "o!" }, "01 44  02 00 00 00  ff ff ff ff  05 00 00 00  01  6f 21"],
  ["CURSOR", { type: "cursor", x: 10, y: 20 }, "01 45  0a 00 00 00  14 00 00 00"],
  ["CONTROL: pause", { type: "control", seq: 9, control: { action: "pause" } }, "01 46  09 00 00 00  01"],
  ["CONTROL: step 1103", { type: "control", seq: 3, control: { action: "step", generations: 1103 } }, "01 46  03 00 00 00  03  4f 04 00 00"],
  [
    "CONTROL: randomize half the cells, seed 7",
    { type: "control", seq: 5, control: { action: "randomize", density: 0.5, seed: 7 } },
    "01 46  05 00 00 00  05  00 00 00 00 00 00 e0 3f  07 00 00 00",
  ],
  [
    "CONTROL: configure HighLife and lock editing",
    { type: "control", seq: 4, control: { action: "configure", rule: "B36/S23", locked: true } },
    "01 46  04 00 00 00  06  11  07 42 33 36 2f 53 32 33  01",
  ],
  ["RESYNC", { type: "resync" }, "01 47"],
  ["RECEIVED: 64 frames", { type: "received", frames: 64 }, "01 48  40 00 00 00"],
];

describe("server frames", () => {
  for (const [what, message, expected] of serverGolden) {
    it(`${what} encodes to its golden bytes and decodes back`, () => {
      const bytes = encodeServerMessage(message);
      expect(hex(bytes)).toBe(hex(bytesOf(expected)));
      expect(decodeServerFrame(bytesOf(expected))).toEqual({ ok: true, value: message });
    });
  }

  it("a DELTA assembled from shared tile records equals one encoded whole", () => {
    const tiles = [
      { tx: 0, ty: 0, codec: Codec.RUNS, payload: encodeRuns(new Uint8Array(TILE_BYTES)) },
      { tx: 5, ty: 1, codec: Codec.NONE, payload: new Uint8Array(TILE_BYTES).fill(0xa5) },
    ] as const;
    const assembled = assembleDelta(99, 4, tiles.map((t) => encodeTileRecord({ ...t })));
    expect(assembled).toEqual(encodeServerMessage({ type: "delta", generation: 99, scale: 4, tiles: tiles.map((t) => ({ ...t })) }));
  });
});

describe("client frames", () => {
  for (const [what, message, expected] of clientGolden) {
    it(`${what} encodes to its golden bytes and decodes back`, () => {
      expect(hex(encodeClientMessage(message))).toBe(hex(bytesOf(expected)));
      expect(decodeClientFrame(bytesOf(expected))).toEqual({ ok: true, value: message });
    });
  }

  it("refuses a wrong version, an unknown type, a short frame and trailing bytes, each with its code", () => {
    expect(decodeClientFrame(bytesOf("02 47"))).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_VERSION } });
    expect(decodeClientFrame(bytesOf("01 07"))).toMatchObject({ ok: false, error: { code: ErrorCode.UNKNOWN_TYPE } });
    expect(decodeClientFrame(bytesOf("01"))).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_FRAME } });
    expect(decodeClientFrame(bytesOf("01 45 0a 00 00 00"))).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_FRAME, reason: "frame too short" } });
    expect(decodeClientFrame(bytesOf("01 47 00"))).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_FRAME, reason: "trailing bytes" } });
  });

  it("refuses field values out of range", () => {
    const bad = [
      "01 42  00 00 00 00  00 00 00 00  20 03 00 00  58 02 00 00  03 00", // scale 3 is not a power of two
      "01 42  00 00 00 00  00 00 00 00  00 00 00 00  58 02 00 00  01 00", // zero width
      "01 43  01 00 00 00  02  00 00", // alive must be 0 or 1
      "01 43  01 00 00 00  01  02 00  01 00 02 00", // count says 2 cells, frame holds 1
      "01 44  02 00 00 00  00 00 00 00  00 00 00 00  02  6f", // unknown stamp mode
      "01 44  02 00 00 00  00 00 00 00  00 00 00 00  00  ff fe", // invalid UTF-8
      "01 46  01 00 00 00  07", // unknown control action
      "01 46  01 00 00 00  03  00 00 00 00", // step 0 generations
      "01 46  01 00 00 00  05  00 00 00 00 00 00 f8 7f  00 00 00 00", // density NaN
      "01 46  01 00 00 00  06  02  0f 00 00 00", // tickMs 15 < 16
      "01 46  01 00 00 00  06  20", // unknown configure field
      "01 41  00  00 00 00 00 00 00 00 00  00  02 2f 2f", // token with "/" is not base64url
      "01 41  00  00 00 00 00 00 00 00 20  00  00", // resume generation above 2^53
    ];
    for (const frame of bad) expect(decodeClientFrame(bytesOf(frame)).ok, frame).toBe(false);
  });

  it("refuses more than MAX_CELLS_PER_EDIT cells and frames above MAX_CLIENT_FRAME_BYTES", () => {
    const many = encodeClientMessage({ type: "setCells", seq: 1, alive: true, cells: new Uint16Array((MAX_CELLS_PER_EDIT + 1) * 2) });
    expect(decodeClientFrame(many)).toMatchObject({ ok: false, error: { code: ErrorCode.TOO_LARGE } });
    const huge = encodeClientMessage({ type: "stamp", seq: 1, x: 0, y: 0, mode: "or", pattern: "o".repeat(MAX_CLIENT_FRAME_BYTES) });
    expect(decodeClientFrame(huge)).toMatchObject({ ok: false, error: { code: ErrorCode.TOO_LARGE } });
  });

  it("strips control and bidi characters from HELLO names and cuts them to 32 code units", () => {
    const frame = encodeClientMessage({ type: "hello", name: "\u202eev\u0000il\u0007  name " + "x".repeat(40), resumeGeneration: null, token: null });
    const decoded = decodeClientFrame(frame);
    expect(decoded.ok && decoded.value.type === "hello" && decoded.value.name).toBe("evil name " + "x".repeat(22));
  });
});

describe("RUNS codec", () => {
  it("an empty 64×64 tile is three bytes: 512 zeros, no literals", () => {
    expect(hex(encodeRuns(new Uint8Array(TILE_BYTES)))).toBe("80 04 00");
  });

  it("keeps short zero runs inside literals and cuts long ones", () => {
    const raw = new Uint8Array([0, 0, 0, 0, 1, 2, 0, 3, 0, 0, 0, 0]);
    expect(hex(encodeRuns(raw))).toBe("04 04 01 02 00 03 04 00");
    expect(decodeRuns(bytesOf("04 04 01 02 00 03 04 00"), raw.length)).toEqual(raw);
  });

  it("refuses payloads that over- or under-fill the promised length, or carry extra bytes", () => {
    expect(decodeRuns(bytesOf("80 04 00"), 511)).toBeNull(); // overfill
    expect(decodeRuns(bytesOf("04 00"), 8)).toBeNull(); // underfill, stream ends
    expect(decodeRuns(bytesOf("04 00 00"), 4)).toBeNull(); // trailing byte
    expect(decodeRuns(bytesOf("01 02 05"), 3)).toBeNull(); // literal runs past the payload
    expect(decodeRuns(bytesOf("ff ff ff ff ff 01"), 8)).toBeNull(); // varint too long
    expect(decodeRuns(bytesOf("00 00"), 4)).toBeNull(); // no progress
  });

  it("encodes exactly as the format reads when spelled out slowly (random runs, long literals, long varints)", () => {
    /** Zero run, then literals up to the next run of 3+ zeros or the end (where zeros are left to
     *  the next pair), each as varint counts. */
    function reference(raw: Uint8Array): number[] {
      const out: number[] = [];
      const varint = (v: number) => {
        for (; v >= 0x80; v >>>= 7) out.push((v & 0x7f) | 0x80);
        out.push(v);
      };
      let i = 0;
      while (i < raw.length) {
        const zeroStart = i;
        while (i < raw.length && raw[i] === 0) i++;
        const zeros = i - zeroStart;
        const literals: number[] = [];
        for (;;) {
          while (i < raw.length && raw[i] !== 0) literals.push(raw[i++]);
          let run = 0;
          while (i + run < raw.length && raw[i + run] === 0) run++;
          if (run >= 3 || i + run === raw.length) break;
          for (let k = 0; k < run; k++) literals.push(0);
          i += run;
        }
        varint(zeros);
        varint(literals.length);
        out.push(...literals);
      }
      return out;
    }
    const prng = new Prng(11);
    for (let trial = 0; trial < 400; trial++) {
      const raw = new Uint8Array(prng.int(0, 3000));
      const zeroShare = prng.next();
      // Runs of random lengths (1..300), so literal runs cross 64 and 128 bytes and zero runs 128.
      for (let i = 0; i < raw.length; ) {
        const run = prng.int(1, 300);
        const zero = prng.next() < zeroShare;
        for (let k = 0; k < run && i < raw.length; k++, i++) raw[i] = zero || prng.next() < 0.2 ? 0 : prng.int(1, 255);
      }
      expect(Array.from(encodeRuns(raw)), `trial ${trial}`).toEqual(reference(raw));
    }
  });

  it("round-trips random sparse and dense bitmaps", () => {
    const prng = new Prng(7);
    for (let trial = 0; trial < 200; trial++) {
      const raw = new Uint8Array(prng.int(0, 2000));
      const density = prng.next();
      for (let i = 0; i < raw.length; i++) if (prng.next() < density * density) raw[i] = prng.int(1, 255);
      expect(decodeRuns(encodeRuns(raw), raw.length), `trial ${trial}`).toEqual(raw);
    }
  });
});

describe("payload codecs", () => {
  it("every codec round-trips a keyframe-sized bitmap", async () => {
    const raw = new Uint8Array(keyframeBytes(300, 200));
    for (let i = 0; i < raw.length; i += 37) raw[i] = i & 0xff;
    for (const codec of [Codec.NONE, Codec.RUNS, Codec.DEFLATE]) {
      expect(await decodePayload(codec, await encodePayload(codec, raw), raw.length), `codec ${codec}`).toEqual(raw);
    }
  });

  it("DEFLATE refuses a stream that expands beyond its promised length (a decompression bomb)", async () => {
    const bomb = await encodePayload(Codec.DEFLATE, new Uint8Array(1 << 22));
    expect(bomb.length).toBeLessThan(8192);
    expect(await inflateRaw(bomb, 1024)).toBeNull();
    expect(await inflateRaw(new Uint8Array([1, 2, 3, 4]), 4)).toBeNull();
  });
});

describe("JSON control actions", () => {
  it("accept the documented actions with defaults", () => {
    expect(parseControlJson({ action: "step", generations: 1103 })).toEqual({ ok: true, value: { action: "step", generations: 1103 } });
    expect(parseControlJson({ action: "step" })).toEqual({ ok: true, value: { action: "step", generations: 1 } });
    expect(parseControlJson({ action: "configure", rule: "B36/S23", private: true })).toEqual({
      ok: true,
      value: { action: "configure", rule: "B36/S23", private: true },
    });
  });

  it("refuse unknown actions and wrong types", () => {
    for (const body of [null, [], "pause", { action: "explode" }, { action: "step", generations: 1.5 }, { action: "step", generations: 1e9 }, { action: "randomize", density: 2 }, { action: "configure", tickMs: 5 }, { action: "configure", locked: "yes" }]) {
      expect(parseControlJson(body).ok, JSON.stringify(body)).toBe(false);
    }
  });
});

describe("close codes", () => {
  it("a client gives up after 1003, 1008, 1009 and 4404, and reconnects after 1011, 1013 and 4408", () => {
    expect([...TERMINAL_CLOSE_CODES]).toEqual([4404]);
    expect([...REFUSAL_CLOSE_CODES].sort()).toEqual([1003, 1008, 1009]);
    expect(CloseCode).toMatchObject({ INTERNAL: 1011, TRY_AGAIN: 1013, TOO_SLOW: 4408 });
    for (const code of [CloseCode.INTERNAL, CloseCode.TRY_AGAIN, CloseCode.TOO_SLOW]) expect(TERMINAL_CLOSE_CODES).not.toContain(code);
  });
});

describe("names and ids", () => {
  it("room ids are exactly 22 base64url characters", () => {
    expect(isRoomId("AAAAAAAAAAAAAAAAAAAAAA")).toBe(true);
    expect(isRoomId("abc-_0123456789ABCDEFGH".slice(0, 22))).toBe(true);
    for (const id of ["", "short", "A".repeat(23), "AAAAAAAAAAAAAAAAAAAAA/", "../../../../../../etc/"]) expect(isRoomId(id), id).toBe(false);
  });

  it("sanitizeName never splits a surrogate pair", () => {
    expect(sanitizeName("ab😀", 3)).toBe("ab");
    expect(sanitizeName("  \t a \n b  ", 10)).toBe("a b");
  });

  it("sanitizeName strips controls, bidi overrides, invisible format characters and lone surrogates", () => {
    // "abc" + RIGHT-TO-LEFT OVERRIDE + "gnp.exe" renders as "abcexe.png"; stripped, it reads as sent.
    expect(sanitizeName("abc\u202Egnp.exe", 32)).toBe("abcgnp.exe");
    expect(sanitizeName("\u2066Ada\u2069\u200F\u061C", 32)).toBe("Ada");
    expect(sanitizeName("A\u200Bd\u200Da\u2060\uFEFF\u00AD", 32)).toBe("Ada");
    expect(sanitizeName("\u001B[31mred\u0007\u0000\u009B", 32)).toBe("[31mred");
    expect(sanitizeName("tag\u{E0041}\u{E0042}s", 32)).toBe("tags");
    expect(sanitizeName("lone \uD800 surrogate \uDFFF", 32)).toBe("lone surrogate");
    expect(sanitizeName("line\u2028break\u2029here", 32)).toBe("line break here");
    expect(sanitizeName("\u202E\u202E\u202E", 32)).toBe("");
    // What stays: letters of every script, emoji, combining marks.
    expect(sanitizeName("Zoë 李 😀 שלום", 32)).toBe("Zoë 李 😀 שלום");
    // The length limit applies after stripping, so hidden characters cannot pad a name out.
    expect(sanitizeName(`${"\u200B".repeat(100)}${"x".repeat(40)}`, 32)).toBe("x".repeat(32));
  });
});

describe("decoder fuzzing", () => {
  const validClient = clientGolden.map(([, m]) => encodeClientMessage(m));
  const validServer = serverGolden.map(([, m]) => encodeServerMessage(m));

  function mutate(prng: Prng, frame: Uint8Array): Uint8Array {
    const out = Array.from(frame);
    const edits = prng.int(1, 4);
    for (let e = 0; e < edits; e++) {
      const op = prng.int(0, 4);
      if (op === 0 && out.length) out[prng.int(0, out.length - 1)] ^= 1 << prng.int(0, 7); // bit flip
      else if (op === 1) out.length = prng.int(0, out.length); // truncate
      else if (op === 2) out.push(prng.int(0, 255)); // extend
      else if (op === 3 && out.length) out[prng.int(0, out.length - 1)] = prng.int(0, 255); // random byte
      else if (op === 4 && out.length > 2) out.splice(prng.int(2, out.length - 1), 0, ...Array.from({ length: prng.int(1, 8) }, () => prng.int(0, 255)));
    }
    return new Uint8Array(out);
  }

  it("20,000 random and mutated client frames decode to a checked message or an error, never a throw", () => {
    const prng = new Prng(20260426);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const frame =
        i % 2 === 0
          ? mutate(prng, prng.pick(validClient))
          : new Uint8Array(Array.from({ length: prng.int(0, 64) }, (_, k) => (k === 0 ? 1 : k === 1 ? prng.int(0x40, 0x49) : prng.int(0, 255))));
      const decoded = decodeClientFrame(frame);
      if (decoded.ok) {
        accepted++;
        // Whatever is accepted is a well-formed message: it re-encodes to a frame that decodes the same.
        expect(decodeClientFrame(encodeClientMessage(decoded.value))).toEqual(decoded);
      } else {
        expect(Object.values(ErrorCode)).toContain(decoded.error.code);
        expect(decoded.error.reason.length).toBeGreaterThan(0);
      }
    }
    expect(accepted).toBeGreaterThan(100); // the fuzzer also reaches the accepting paths
  });

  it("20,000 random and mutated server frames never make the client's decoder throw", () => {
    const prng = new Prng(42);
    for (let i = 0; i < 20_000; i++) {
      const frame = i % 2 === 0 ? mutate(prng, prng.pick(validServer)) : new Uint8Array(Array.from({ length: prng.int(0, 64) }, () => prng.int(0, 255)));
      const decoded = decodeServerFrame(frame);
      expect(typeof decoded.ok).toBe("boolean");
    }
  });

  it("random RUNS payloads decode to exactly the promised length or to null", () => {
    const prng = new Prng(3);
    for (let i = 0; i < 5000; i++) {
      const payload = new Uint8Array(Array.from({ length: prng.int(0, 24) }, () => prng.int(0, 255)));
      const length = prng.int(0, 600);
      const out = decodeRuns(payload, length);
      if (out !== null) expect(out.length).toBe(length);
    }
  });
});

describe("lockstep prediction frames (STEP, HELLO's predict flag)", () => {
  const step: Array<[string, ServerMessage, string]> = [
    [
      "STEP: 1 generation from 5 to 6, all four sides, a checksum, one edited tile, a raw band",
      {
        type: "step",
        from: 5,
        to: 6,
        steps: 1,
        sides: 15,
        checksum: 0xdeadbeef,
        tiles: [{ tx: 1, ty: 0, codec: Codec.RUNS, payload: new Uint8Array([0x80, 0x04, 0x00]) }],
        bandCodec: Codec.NONE,
        band: new Uint8Array([0x01, 0x0a]),
      },
      //     from                     to                       steps sides flags checksum     count  tile record                  codec band
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  0f   01    ef be ad de  01 00  01 00 00 00 01 03 00 80 04 00  00    01 0a",
    ],
    [
      "STEP: nothing in view changed, only the generation moves (25 bytes)",
      { type: "step", from: 7, to: 9, steps: 0, sides: 0, checksum: null, tiles: [], bandCodec: Codec.NONE, band: new Uint8Array(0) },
      "01 09  07 00 00 00 00 00 00 00  09 00 00 00 00 00 00 00  00 00  00  00  00 00  00",
    ],
  ];
  for (const [what, message, expected] of step) {
    it(`${what} encodes to its golden bytes and decodes back`, () => {
      expect(hex(encodeServerMessage(message))).toBe(hex(bytesOf(expected)));
      expect(decodeServerFrame(bytesOf(expected))).toEqual({ ok: true, value: message });
    });
  }

  it("HELLO asks for prediction with flag bit 1; without it, it decodes as before", () => {
    const hello: ClientMessage = { type: "hello", name: "Bo", resumeGeneration: null, token: null, predict: true };
    expect(hex(encodeClientMessage(hello))).toBe(hex(bytesOf("01 41  02  00 00 00 00 00 00 00 00  02 42 6f  00")));
    expect(decodeClientFrame(bytesOf("01 41  02  00 00 00 00 00 00 00 00  02 42 6f  00"))).toEqual({ ok: true, value: hello });
    const decoded = decodeClientFrame(bytesOf("01 41  00  00 00 00 00 00 00 00  02 42 6f  00"));
    expect(decoded.ok && "predict" in decoded.value).toBe(false);
    expect(decodeClientFrame(bytesOf("01 41  04  00 00 00 00 00 00 00 00  00  00")).ok).toBe(false);
  });

  it("refuses STEP frames with impossible fields", () => {
    const bad = [
      "01 09  05 00 00 00 00 00 00 00  46 00 00 00 00 00 00 00  41 00  0f  00  00 00  00", // 65 steps > MAX_PREDICT_STEPS
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  02 00  0f  00  00 00  00", // from + steps > to
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  10  00  00 00  00", // unknown side
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  0f  02  00 00  00", // unknown flag
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  0f  00  00 00  03", // unknown band codec
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  0f  01  00 00", // checksum missing
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  0f  00  01 00  00", // a tile record missing
    ];
    for (const frame of bad) expect(decodeServerFrame(bytesOf(frame)).ok, frame).toBe(false);
  });

  it("a STEP assembled from shared parts equals one encoded whole", () => {
    const tiles = [{ tx: 3, ty: 2, codec: Codec.NONE, payload: new Uint8Array(TILE_BYTES).fill(0x5a) }] as const;
    const band = encodeRuns(new Uint8Array(300));
    const assembled = assembleStep(10, 12, 2, 5, null, tiles.map((t) => encodeTileRecord({ ...t })), Codec.RUNS, band);
    expect(assembled).toEqual(
      encodeServerMessage({ type: "step", from: 10, to: 12, steps: 2, sides: 5, checksum: null, tiles: tiles.map((t) => ({ ...t })), bandCodec: Codec.RUNS, band }),
    );
  });

  it("10,000 mutated STEP frames decode to a checked message or an error, never a throw", () => {
    const prng = new Prng(909);
    const valid = step.map(([, m]) => encodeServerMessage(m));
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const out = Array.from(prng.pick(valid));
      for (let e = prng.int(1, 3); e > 0; e--) {
        const op = prng.int(0, 2);
        if (op === 0 && out.length > 2) out[prng.int(2, out.length - 1)] = prng.int(0, 255);
        else if (op === 1) out.length = prng.int(2, out.length);
        else out.push(prng.int(0, 255));
      }
      const decoded = decodeServerFrame(new Uint8Array(out));
      if (!decoded.ok) continue;
      accepted++;
      // Whatever is accepted re-encodes to a frame that decodes the same.
      expect(decodeServerFrame(encodeServerMessage(decoded.value))).toEqual(decoded);
    }
    expect(accepted).toBeGreaterThan(100);
  });
});

describe("header sizes", () => {
  // Each exported header size is pinned to the hand-written bytes of a real frame: the header is
  // exactly the bytes before the part named. (The encoders write these frames into buffers of the
  // computed size and throw when the sum and the writes disagree, so a constant cannot drift.)
  const headers: Array<[string, number, () => Uint8Array, string, string]> = [
    [
      "DELTA_HEADER_BYTES: a DELTA's tile records start after 14 bytes",
      DELTA_HEADER_BYTES,
      () => encodeServerMessage({ type: "delta", generation: 2, scale: 1, tiles: [{ tx: 1, ty: 2, codec: Codec.RUNS, payload: new Uint8Array([0x80, 0x04, 0x00]) }] }),
      "01 03  02 00 00 00 00 00 00 00  01 00  01 00",
      "01 00 02 00 01 03 00 80 04 00",
    ],
    [
      "TILE_RECORD_HEADER_BYTES: a tile's payload starts after 7 bytes of its record",
      TILE_RECORD_HEADER_BYTES,
      () => encodeTileRecord({ tx: 1, ty: 2, codec: Codec.RUNS, payload: new Uint8Array([0x80, 0x04, 0x00]) }),
      "01 00  02 00  01  03 00",
      "80 04 00",
    ],
    [
      "KEYFRAME_HEADER_BYTES: a KEYFRAME's payload starts after 21 bytes",
      KEYFRAME_HEADER_BYTES,
      () => encodeServerMessage({ type: "keyframe", generation: 5, scale: 2, x: 64, y: 0, width: 3, height: 2, codec: Codec.NONE, payload: new Uint8Array([5, 2]) }),
      "01 02  05 00 00 00 00 00 00 00  02 00  40 00  00 00  03 00  02 00  00",
      "05 02",
    ],
    [
      "STEP_HEADER_BYTES: a STEP without a checksum has its tile count after 22 bytes",
      STEP_HEADER_BYTES,
      () => assembleStep(7, 9, 0, 0, null, [], Codec.NONE, new Uint8Array(0)),
      "01 09  07 00 00 00 00 00 00 00  09 00 00 00 00 00 00 00  00 00  00  00",
      "00 00  00",
    ],
    [
      "STEP_HEADER_BYTES: a STEP with a checksum has it after 22 bytes",
      STEP_HEADER_BYTES,
      () => assembleStep(5, 6, 1, 15, 0xdeadbeef, [], Codec.NONE, new Uint8Array([0x01])),
      "01 09  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  01 00  0f  01",
      "ef be ad de  00 00  00  01",
    ],
    [
      "STAMP_HEADER_BYTES: a STAMP's pattern text starts after 15 bytes",
      STAMP_HEADER_BYTES,
      () => encodeClientMessage({ type: "stamp", seq: 2, x: -1, y: 5, mode: "replace", pattern: "o!" }),
      "01 44  02 00 00 00  ff ff ff ff  05 00 00 00  01",
      "6f 21",
    ],
  ];
  for (const [what, size, frame, head, rest] of headers) {
    it(what, () => {
      expect(hex(frame())).toBe(hex(bytesOf(`${head} ${rest}`)));
      expect(size).toBe(bytesOf(head).length);
    });
  }

  it("STEP_CHECKSUM_BYTES: a checksum makes a STEP 4 bytes longer", () => {
    const without = assembleStep(5, 6, 1, 15, null, [], Codec.NONE, new Uint8Array([0x01]));
    const withChecksum = assembleStep(5, 6, 1, 15, 0xdeadbeef, [], Codec.NONE, new Uint8Array([0x01]));
    expect(withChecksum.length - without.length).toBe(STEP_CHECKSUM_BYTES);
    expect(hex(withChecksum.subarray(STEP_HEADER_BYTES, STEP_HEADER_BYTES + STEP_CHECKSUM_BYTES))).toBe("ef be ad de");
  });
});
