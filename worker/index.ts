/**
 * The Worker's entry: an explicit route table for the API and the room pages, then the static
 * assets of the web client. Room ids are checked for shape here, before any Durable Object is
 * touched, so a malformed or guessed path never creates one.
 */
import { isRoomId } from "../common/protocol/index.ts";
import type { Env } from "./env.ts";
import { connectRoom, controlRoom, createRoom, deleteRoom, getPattern, getRoom, listRooms, originAllowed, postPattern } from "./http.ts";
import { errorResponse, internalError, notFound, roomNotFoundResponse } from "./response.ts";

export { GameRoom } from "./room.ts";
export { Lobby } from "./lobby.ts";

type Handler = (request: Request, env: Env, id: string) => Promise<Response>;

/** Path pattern → method → handler; a `(…)` group is the room id. */
const ROUTES: ReadonlyArray<[RegExp, Readonly<Record<string, Handler>>]> = [
  [/^\/api\/rooms$/, { GET: listRooms, POST: createRoom }],
  [/^\/api\/rooms\/([^/]+)$/, { GET: getRoom, DELETE: deleteRoom }],
  [/^\/api\/rooms\/([^/]+)\/pattern$/, { GET: getPattern, POST: postPattern }],
  [/^\/api\/rooms\/([^/]+)\/control$/, { POST: controlRoom }],
  [/^\/api\/rooms\/([^/]+)\/ws$/, { GET: connectRoom }],
];

const ROOM_PAGE = /^\/r\/([^/]+)\/?$/;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/")) return routeApi(request, env, url.pathname);
    const page = ROOM_PAGE.exec(url.pathname);
    if (page) {
      // One page serves every room; the client reads the id from location.pathname. "/" rather
      // than "/index.html", which the assets layer redirects to "/".
      const app = await env.ASSETS.fetch(new Request(new URL("/", url), { headers: request.headers }));
      // A mistyped link gets the app's own page too (it says the room does not exist and leads
      // back to the lobby), with a 404 status for crawlers and scripts; no object is touched.
      if (!isRoomId(page[1])) return new Response(app.body, { status: 404, headers: app.headers });
      return app;
    }
    return env.ASSETS.fetch(request);
  },
} satisfies ExportedHandler<Env>;

async function routeApi(request: Request, env: Env, path: string): Promise<Response> {
  for (const [pattern, methods] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const handler = methods[request.method];
    if (!handler) return errorResponse(405, "method not allowed", { Allow: Object.keys(methods).join(", ") });
    // Requests that change something, from a page of another site: refused (see originAllowed).
    if (request.method !== "GET" && !originAllowed(request, env)) return errorResponse(403, "origin not allowed");
    const id = match[1] ?? "";
    if (match[1] !== undefined && !isRoomId(id)) return roomNotFoundResponse();
    try {
      const response = await handler(request, env, id);
      // A body refused before it was read (no token, a declared length over the limit) is
      // cancelled, so the runtime drops it instead of receiving all of it first.
      if (request.body !== null && !request.bodyUsed) await request.body.cancel().catch(() => {});
      return response;
    } catch (e) {
      console.error(`${request.method} ${path} failed:`, String(e));
      return internalError();
    }
  }
  return notFound();
}
