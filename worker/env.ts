import type { GameRoom } from "./room.ts";
import type { Lobby } from "./lobby.ts";

/** The bindings of wrangler.toml. */
export interface Env {
  ASSETS: Fetcher;
  LOBBY: DurableObjectNamespace<Lobby>;
  ROOM: DurableObjectNamespace<GameRoom>;
  /** Extra origins allowed to open sockets, comma-separated (e.g. "https://life.example.com");
   *  the serving host itself is always allowed. */
  ALLOWED_ORIGINS?: string;
  /** Optional lower cap on sockets per room (see MAX_CONNECTIONS_PER_ROOM). */
  ROOM_CONNECTION_CAP?: string;
}

/** The one lobby object. */
export function lobbyStub(env: Env): DurableObjectStub<Lobby> {
  return env.LOBBY.get(env.LOBBY.idFromName("lobby"));
}

/** A room's object; the id must already have passed isRoomId. */
export function roomStub(env: Env, id: string): DurableObjectStub<GameRoom> {
  return env.ROOM.get(env.ROOM.idFromName(id));
}
