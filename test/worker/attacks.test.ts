// The HTTP API under attack, through the real Worker and Durable Objects: malformed JSON, wrong
// types, huge and negative numbers, out-of-range coordinates, 40 MiB bodies, invalid rules and
// patterns, unknown rooms, wrong methods, foreign origins. Every one is a clean 4xx with a short
// JSON reason — never a stack, never HTML — and leaves the room exactly as it was.
import { describe, expect, it } from "vitest";
import { originAllowed } from "../../worker/http.ts";
import { MAX_JSON_BODY_BYTES, MAX_PATTERN_BODY_BYTES } from "../../worker/limits.ts";
import { BASE, api, bearer, control, createRoom, exportRle, freshAddress, postJson, stamp } from "./helpers.ts";
import type { CreatedRoom } from "../../common/protocol/index.ts";
import { SELF } from "cloudflare:test";

const UNKNOWN_ID = "ZZZZZZZZZZZZZZZZZZZZZZ";
const ROOM = { name: "attacked", width: 64, height: 64, rule: "B3/S23", topology: "torus" };

/** A clean refusal: the status, a JSON body `{"error": <short reason>}` and nothing else. */
async function expectRefusal(response: Response, status: number, what: string): Promise<string> {
  expect(response.status, what).toBe(status);
  expect(response.headers.get("Content-Type"), what).toMatch(/^application\/json/);
  const text = await response.text();
  expect(text, what).not.toMatch(/<html|<!doctype|\bat [\w$.]+ \(|\.ts:\d+|Error:/i);
  const body: unknown = JSON.parse(text);
  expect(Object.keys(body as object), what).toEqual(["error"]);
  const reason = (body as { error: unknown }).error;
  expect(typeof reason, what).toBe("string");
  expect((reason as string).length, what).toBeGreaterThan(0);
  expect((reason as string).length, what).toBeLessThanOrEqual(140);
  return reason as string;
}

/** What must not change: the room's fields (minus lastActive) and its whole grid. */
async function state(id: string): Promise<string> {
  const info = await (await api(`/api/rooms/${id}`)).json<Record<string, unknown>>();
  delete info.lastActive;
  return JSON.stringify(info) + (await exportRle(id));
}

async function pausedRoomWithCells(): Promise<CreatedRoom> {
  const room = await createRoom({ running: false });
  expect((await stamp(room, "x = 3, y = 3\nbo$2bo$3o!", 10, 10)).status).toBe(200);
  return room;
}

/** A body that produces `total` bytes in `chunk`-byte pieces only as they are read, and counts them. */
function lazyBody(total: number, chunk = 64 * 1024, fill = 0x20): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const piece = new Uint8Array(chunk).fill(fill);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const n = Math.min(chunk, total - pulled);
      pulled += n;
      controller.enqueue(n === chunk ? piece.slice() : piece.slice(0, n));
    },
  });
  return { stream, pulled: () => pulled };
}

describe("malformed and hostile JSON", () => {
  const creations: Array<[string, string]> = [
    ["an empty body", ""],
    ["a truncated object", '{"name": "a", "width": 64'],
    ["not JSON at all", "name=a&width=64"],
    ["a bare literal", "nul"],
    ["a trailing comma", '{"name": "a",}'],
    ["JSON null", "null"],
    ["a JSON string", '"room"'],
    ["a JSON number", "42"],
    ["a JSON array", `[${JSON.stringify(ROOM)}]`],
    ["8,000 nested arrays", `${"[".repeat(8000)}${"]".repeat(8000)}`],
    ["a __proto__ key instead of fields", `{"__proto__": ${JSON.stringify(ROOM)}}`],
    ["width as a string", JSON.stringify({ ...ROOM, width: "64" })],
    ["width true", JSON.stringify({ ...ROOM, width: true })],
    ["width null", JSON.stringify({ ...ROOM, width: null })],
    ["width an object", JSON.stringify({ ...ROOM, width: { valueOf: 64 } })],
    ["width 1e309 (Infinity)", JSON.stringify(ROOM).replace('"width":64', '"width":1e309')],
    ["width 2^53 + 1", JSON.stringify(ROOM).replace('"width":64', '"width":9007199254740993')],
    ["width -0", JSON.stringify(ROOM).replace('"width":64', '"width":-0')],
    ["width -64", JSON.stringify({ ...ROOM, width: -64 })],
    ["width 1e-320", JSON.stringify(ROOM).replace('"width":64', '"width":1e-320')],
    ["width \"NaN\"", JSON.stringify({ ...ROOM, width: "NaN" })],
    ["height 16385", JSON.stringify({ ...ROOM, height: 16385 })],
    ["name a number", JSON.stringify({ ...ROOM, name: 5 })],
    ["name only control and format characters", JSON.stringify({ ...ROOM, name: "\u0000\u202e\u200b\u0007" })],
    ["rule null", JSON.stringify({ ...ROOM, rule: null })],
    ["rule with a birth of 9", JSON.stringify({ ...ROOM, rule: "B39/S23" })],
    ["rule 10,000 characters long", JSON.stringify({ ...ROOM, rule: "B3/S23".repeat(1700) })],
    ["rule with a bounds suffix for another grid", JSON.stringify({ ...ROOM, rule: "B3/S23:P64,64" })],
    ["topology 1", JSON.stringify({ ...ROOM, topology: 1 })],
    ["tickMs 1e309", JSON.stringify(ROOM).replace("}", ',"tickMs":1e309}')],
    ["tickMs \"100\"", JSON.stringify({ ...ROOM, tickMs: "100" })],
    ["generationsPerTick -0", JSON.stringify(ROOM).replace("}", ',"generationsPerTick":-0}')],
    ["generationsPerTick 1.5", JSON.stringify({ ...ROOM, generationsPerTick: 1.5 })],
    ["running \"true\"", JSON.stringify({ ...ROOM, running: "true" })],
    ["private \"false\"", JSON.stringify({ ...ROOM, private: "false" })],
  ];

  it.each(creations)("POST /api/rooms with %s is a 400 and creates nothing", async (what, body) => {
    const address = freshAddress();
    const before = (await (await api("/api/rooms")).json<{ rooms: unknown[] }>()).rooms.length;
    await expectRefusal(await api("/api/rooms", { method: "POST", body, address }), 400, what);
    expect((await (await api("/api/rooms")).json<{ rooms: unknown[] }>()).rooms.length).toBe(before);
  });

  it("owner control with malformed bodies and out-of-range values is a 400 and changes nothing", async () => {
    const room = await pausedRoomWithCells();
    const before = await state(room.id);
    const bodies = [
      "",
      "{",
      "[]",
      '"pause"',
      '{"action": ["pause"]}',
      '{"action": "PAUSE"}',
      '{"action": "explode"}',
      '{"action": null}',
      '{"action": "step", "generations": 1e309}',
      '{"action": "step", "generations": 9007199254740993}',
      '{"action": "step", "generations": "10"}',
      '{"action": "step", "generations": -1}',
      '{"action": "step", "generations": 0}',
      '{"action": "step", "generations": 2.5}',
      '{"action": "randomize", "density": "NaN"}',
      '{"action": "randomize", "density": -0.0001}',
      '{"action": "randomize", "density": 1e309}',
      '{"action": "randomize", "seed": -1}',
      '{"action": "randomize", "seed": 4294967296}',
      '{"action": "configure", "rule": "B3/S23B3/S23B3/S23B3/S23B3/S23B3/S23"}',
      '{"action": "configure", "rule": "B3/S2Z"}',
      '{"action": "configure", "rule": "B3/S23:T32,32"}',
      '{"action": "configure", "tickMs": -0}',
      '{"action": "configure", "tickMs": 1e309}',
      '{"action": "configure", "generationsPerTick": 1001}',
      '{"action": "configure", "private": "true"}',
      '{"action": "configure", "locked": 1}',
      '{"action": "configure", "rule": "B36/S23", "locked": "yes"}',
    ];
    for (const body of bodies) {
      await expectRefusal(await api(`/api/rooms/${room.id}/control`, { method: "POST", body, headers: bearer(room.ownerToken) }), 400, body);
    }
    expect(await state(room.id)).toBe(before);
  });

  it("stamping with bad coordinates, modes and patterns is a 400 and changes nothing", async () => {
    const plane = await createRoom({ running: false, topology: "plane" });
    await stamp(plane, "x = 2, y = 2\n2o$2o!", 5, 5);
    const before = await state(plane.id);
    const glider = "x = 3, y = 3\nbo$2bo$3o!";
    const queries = ["", "?x=1", "?y=1", "?x=&y=1", "?x=NaN&y=1", "?x=1e3&y=1", "?x=0x10&y=1", "?x=+1&y=1", "?x=1.0&y=1", "?x=2147483648&y=1", "?x=-2147483649&y=1", "?x=99999999999&y=1", "?x=1&y=1&mode=xor", "?x=1&y=1&mode="];
    for (const q of queries) await expectRefusal(await api(`/api/rooms/${plane.id}/pattern${q}`, { method: "POST", body: glider }), 400, q);
    for (const [x, y] of [[-1, 0], [0, -1], [62, 0], [0, 62], [-2147483648, 0], [2147483647, 2147483647]]) {
      await expectRefusal(await stamp(plane, glider, x, y), 400, `glider at (${x}, ${y}) on a 64×64 plane`);
    }
    const patterns = [
      "",
      "   \n\n",
      "x = 0",
      "x = -1, y = 1\n!",
      "x = 3, y = 3, rule = B9/S23\nbo$2bo$3o!",
      "x = 16385, y = 1\n!",
      "x = 1, y = 1\n16384o16383$o!", // a 16384² pattern in 14 bytes of body
      "x = 1, y = 1\n2.A$B!",
      "#Life 1.05\n#P 0 0\n.*\n",
      "#Life 1.06\n0 0\n1000000 0\n",
      "O".repeat(65),
      "<script>alert(1)</script>",
      "x = 3, y = 3\nbo$2bo$3o!".replace("o", "\u0000"),
    ];
    for (const text of patterns) await expectRefusal(await stamp(plane, text, 0, 0), 400, JSON.stringify(text));
    await expectRefusal(await api(`/api/rooms/${plane.id}/pattern?x=0&y=0`, { method: "POST", body: new Uint8Array([0x78, 0xff, 0xfe, 0x21]) }), 400, "invalid UTF-8");
    expect(await state(plane.id)).toBe(before);
  });

  it("exporting with bad rectangles is a 400", async () => {
    const room = await pausedRoomWithCells();
    for (const q of ["?x=0", "?x=0&y=0&w=0&h=1", "?x=0&y=0&w=1&h=-1", "?x=-1&y=0&w=1&h=1", "?x=0&y=0&w=65&h=1", "?x=63&y=63&w=2&h=1", "?x=0&y=0&w=99999999999&h=1", "?x=0&y=0&w=NaN&h=1"]) {
      await expectRefusal(await api(`/api/rooms/${room.id}/pattern${q}`), 400, q);
    }
  });
});

describe("bodies above the limits", () => {
  const FORTY_MIB = 40 * 1024 * 1024;

  it("a 40 MiB body with a Content-Length is refused with 413 before any of it is read", async () => {
    const room = await pausedRoomWithCells();
    const before = await state(room.id);
    for (const [path, headers] of [
      ["/api/rooms", {}],
      [`/api/rooms/${room.id}/control`, bearer(room.ownerToken)],
      [`/api/rooms/${room.id}/pattern?x=0&y=0`, {}],
    ] as const) {
      const body = lazyBody(FORTY_MIB);
      const response = await SELF.fetch(`${BASE}${path}`, {
        method: "POST",
        body: body.stream,
        headers: { ...headers, "Content-Length": String(FORTY_MIB), "CF-Connecting-IP": freshAddress() },
        duplex: "half",
      } as RequestInit);
      await expectRefusal(response, 413, path);
      // The runtime prefetches a chunk of a streamed body; the handler reads none of it (reading
      // up to the limit would pull a whole MiB for the pattern route).
      expect(body.pulled(), path).toBeLessThanOrEqual(128 * 1024);
    }
    expect(await state(room.id)).toBe(before);
  });

  it("a 40 MiB body without a length (chunked) is cut off just past the limit", async () => {
    const room = await pausedRoomWithCells();
    const before = await state(room.id);
    for (const [path, limit, headers] of [
      ["/api/rooms", MAX_JSON_BODY_BYTES, {}],
      [`/api/rooms/${room.id}/control`, MAX_JSON_BODY_BYTES, bearer(room.ownerToken)],
      [`/api/rooms/${room.id}/pattern?x=0&y=0`, MAX_PATTERN_BODY_BYTES, {}],
    ] as const) {
      const body = lazyBody(FORTY_MIB, 16 * 1024, 0x6f);
      const response = await SELF.fetch(`${BASE}${path}`, {
        method: "POST",
        body: body.stream,
        headers: { ...headers, "CF-Connecting-IP": freshAddress() },
        duplex: "half",
      } as RequestInit);
      await expectRefusal(response, 413, path);
      expect(body.pulled(), path).toBeLessThan(limit + 128 * 1024);
    }
    expect(await state(room.id)).toBe(before);
  });

  it("a body just within the limit is read", async () => {
    const room = await createRoom({ running: false, width: 2048, height: 64 });
    // 1 MiB of RLE: a header, then rows of 2048 live cells as "2048o$" repeated.
    const header = "x = 2048, y = 64\n";
    const rows = "2048o$".repeat(64).slice(0, -1) + "!";
    const text = header + rows + "\n".repeat(MAX_PATTERN_BODY_BYTES - header.length - rows.length);
    expect(text.length).toBe(MAX_PATTERN_BODY_BYTES);
    const response = await stamp(room, text, 0, 0);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ population: 2048 * 64 });
  });
});

describe("unknown rooms, paths and methods", () => {
  it("every route answers an unknown room with the same 404 as a malformed id or a deleted room", async () => {
    const deleted = await createRoom();
    expect((await api(`/api/rooms/${deleted.id}`, { method: "DELETE", headers: bearer(deleted.ownerToken) })).status).toBe(204);
    const bodies = new Set<string>();
    for (const id of [UNKNOWN_ID, deleted.id, "short", "A".repeat(23), "AAAAAAAAAAAAAAAAAAAA%00", "AAAAAAAAAAAAAAAAAAAAA%2F"]) {
      for (const [path, init] of [
        [`/api/rooms/${id}`, {}],
        [`/api/rooms/${id}/pattern`, {}],
        [`/api/rooms/${id}/pattern?x=0&y=0`, { method: "POST", body: "x = 1, y = 1\no!" }],
        [`/api/rooms/${id}/control`, { method: "POST", body: '{"action":"pause"}', headers: bearer("A".repeat(43)) }],
        [`/api/rooms/${id}`, { method: "DELETE", headers: bearer("A".repeat(43)) }],
      ] as const) {
        const response = await api(path, init);
        expect(response.status, path).toBe(404);
        bodies.add(await response.text());
      }
    }
    expect([...bodies]).toEqual(['{"error":"room not found"}']);
  });

  it("unknown API paths are a 404 and wrong methods a 405 with Allow, never HTML", async () => {
    const room = await createRoom();
    for (const path of ["/api/", "/api/rooms/", `/api/rooms/${room.id}/`, `/api/rooms/${room.id}/nothing`, `/api/rooms/${room.id}/pattern/x`, "/api/../api/rooms/x/y/z"]) {
      await expectRefusal(await api(path), 404, path);
    }
    const routes: Array<[string, string]> = [
      ["/api/rooms", "GET, POST"],
      [`/api/rooms/${room.id}`, "GET, DELETE"],
      [`/api/rooms/${room.id}/pattern`, "GET, POST"],
      [`/api/rooms/${room.id}/control`, "POST"],
      [`/api/rooms/${room.id}/ws`, "GET"],
    ];
    for (const [path, allow] of routes) {
      for (const method of ["PUT", "PATCH", "DELETE", "POST", "GET", "OPTIONS", "PROPFIND"].filter((m) => !allow.split(", ").includes(m))) {
        const response = await api(path, { method });
        await expectRefusal(response, 405, `${method} ${path}`);
        expect(response.headers.get("Allow")).toBe(allow);
      }
    }
  });
});

describe("cross-origin requests", () => {
  it("no API response carries CORS headers, and preflights are not granted", async () => {
    const room = await pausedRoomWithCells();
    const origin = { Origin: "https://elsewhere.example" };
    const responses = [
      await api("/api/rooms", { headers: origin }),
      await api(`/api/rooms/${room.id}`, { headers: origin }),
      await api(`/api/rooms/${room.id}/pattern`, { headers: origin }),
      await api(`/api/rooms/${UNKNOWN_ID}`, { headers: origin }),
      await api("/api/nothing", { headers: origin }),
      await api("/api/rooms", { method: "POST", body: "{", headers: origin }),
      await api(`/api/rooms/${room.id}/control`, { method: "POST", body: '{"action":"pause"}', headers: { ...origin, ...bearer(room.ownerToken) } }),
      await api("/api/rooms", { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" } }),
      await api(`/api/rooms/${room.id}/control`, { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" } }),
    ];
    for (const response of responses) {
      for (const [name] of response.headers) expect(name.toLowerCase()).not.toMatch(/^access-control-/);
      await response.body?.cancel();
    }
    // The preflights were refused outright.
    expect(responses.slice(-2).map((r) => r.status)).toEqual([405, 405]);
  });

  it("requests that change something from another site's page are refused (403) and change nothing", async () => {
    const room = await pausedRoomWithCells();
    const before = await state(room.id);
    for (const origin of ["https://evil.example", "http://rooms.test.evil.example", "null", "not a url"]) {
      const o = { Origin: origin };
      await expectRefusal(await api("/api/rooms", { method: "POST", body: JSON.stringify(ROOM), headers: o }), 403, origin);
      await expectRefusal(await api(`/api/rooms/${room.id}/pattern?x=0&y=0`, { method: "POST", body: "x = 2, y = 2\n2o$2o!", headers: o }), 403, origin);
      await expectRefusal(await api(`/api/rooms/${room.id}/control`, { method: "POST", body: '{"action":"clear"}', headers: { ...o, ...bearer(room.ownerToken) } }), 403, origin);
      await expectRefusal(await api(`/api/rooms/${room.id}`, { method: "DELETE", headers: { ...o, ...bearer(room.ownerToken) } }), 403, origin);
      await expectRefusal(await api(`/api/rooms/${room.id}/ws`, { headers: { ...o, Upgrade: "websocket" } }), 403, origin);
    }
    expect(await state(room.id)).toBe(before);
    // The page's own origin, and clients that send none, are served.
    expect((await api(`/api/rooms/${room.id}/pattern?x=40&y=40`, { method: "POST", body: "x = 1, y = 1\no!", headers: { Origin: BASE } })).status).toBe(200);
    expect((await control(room, { action: "clear" })).status).toBe(200);
  });

  it("ALLOWED_ORIGINS adds origins, compared as origins rather than as text", () => {
    const check = (origin: string | null, allowed?: string) =>
      originAllowed(new Request(`${BASE}/api/rooms/x/ws`, { headers: origin === null ? {} : { Origin: origin } }), { ALLOWED_ORIGINS: allowed } as never);
    expect(check(null)).toBe(true);
    expect(check(BASE)).toBe(true);
    expect(check("https://rooms.test")).toBe(true); // the same host behind TLS termination
    expect(check("https://friend.example")).toBe(false);
    expect(check("https://friend.example", "https://friend.example")).toBe(true);
    expect(check("https://friend.example", " https://Friend.Example/ , https://other.example")).toBe(true);
    expect(check("https://other.example", "https://friend.example,https://other.example")).toBe(true);
    expect(check("http://friend.example", "https://friend.example")).toBe(false);
    expect(check("https://friend.example:8443", "https://friend.example")).toBe(false);
    expect(check("https://evil.example", "*")).toBe(false);
    expect(check("https://evil.example", "not a url, https://friend.example")).toBe(false);
    expect(check("null", "null")).toBe(false);
  });
});
