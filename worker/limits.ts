/**
 * Every limit the server enforces, in one place, each with its reason. Limits a client must know
 * (frame sizes, name lengths, setting ranges) are defined in common/protocol/ and re-exported
 * here so this file is the whole list; docs/api.md documents them for people.
 */
export {
  STATS_INTERVAL_MS,
  MAX_CONNECTIONS_PER_ROOM,
  ROOM_CREATION_BURST,
  MAX_CLIENT_FRAME_BYTES,
  MAX_CELLS_PER_EDIT,
  MAX_PLAYER_NAME,
  MAX_ROOM_NAME,
  MAX_VIEW_SIDE,
  MAX_SCALE,
  MAX_STEP_GENERATIONS,
  MIN_GRID_SIDE,
  MAX_GRID_SIDE,
  MIN_TICK_MS,
  MAX_TICK_MS,
  MIN_GENERATIONS_PER_TICK,
  MAX_GENERATIONS_PER_TICK,
  MAX_UNACKED_FRAMES,
  MAX_UNACKED_BYTES,
  RECEIVED_EVERY_FRAMES,
} from "../common/protocol/index.ts";
import { MAX_CONNECTIONS_PER_ROOM } from "../common/protocol/index.ts";

// --- HTTP ------------------------------------------------------------------------------------

/** JSON bodies (room creation, control) are a few hundred bytes; 16 KiB leaves room for growth
 *  and is read before parsing, so a 40 MiB body costs nothing. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;
/** Pattern uploads: 1 MiB of RLE holds any pattern people share (Gosper's gun is 0.2 KiB,
 *  large LifeWiki patterns a few hundred KiB) and bounds parsing time. */
export const MAX_PATTERN_BODY_BYTES = 1024 * 1024;
/** Pattern exports: 2^24 cells (4096², a 2 MiB bitmap) keeps the RLE text of even a random soup
 *  around 10 MB, within a Durable Object's memory next to a 16384² grid. Ask for a rectangle. */
export const MAX_EXPORT_CELLS = 1 << 24;
/** HTTP requests per second per client address to one room (burst: twice as many). Enough for
 *  any person and any script that waits for answers; a loop that does not wait gets 429s. */
export const ROOM_REQUESTS_PER_SECOND = 20;
/** Room creations per client address: a few per minute for people, not a loop. */
export const ROOM_CREATIONS_PER_MINUTE = 6;
/** Lobby list requests per second per client address (the web lobby polls every few seconds). */
export const LOBBY_REQUESTS_PER_SECOND = 10;
/** Rate-limit buckets kept in memory per object; the oldest is forgotten beyond this, which only
 *  ever makes a limit more lenient, never stuck. */
export const MAX_TRACKED_ADDRESSES = 4096;

// --- Rooms -----------------------------------------------------------------------------------


/** The connection cap in force: MAX_CONNECTIONS_PER_ROOM, or the deployment's lower one. */
export function connectionCap(configured: string | undefined): number {
  const n = Number(configured);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_CONNECTIONS_PER_ROOM) : MAX_CONNECTIONS_PER_ROOM;
}
/** Sockets a client address may open per second to one room, with a burst: a classroom behind
 *  one NAT address joins at once, but a reconnect loop (each socket brings its own allowances of
 *  bad frames and strikes) gets close 1013. */
export const SOCKET_OPENS_PER_SECOND = 10;
export const SOCKET_OPEN_BURST = 60;
/** A socket that is behind (MAX_UNACKED_FRAMES / MAX_UNACKED_BYTES) and acknowledges nothing for
 *  this long is closed with 4408: a client that stopped reading (a frozen tab, a dead peer whose
 *  TCP connection never said so) costs bounded memory for a bounded time, then nothing. */
export const STALLED_SOCKET_MS = 10_000;
/** Edit frames (SET_CELLS, STAMP, CONTROL) per second per socket, with a burst of twice that:
 *  a fast drawing hand sends ~30 batched frames a second. */
export const EDITS_PER_SECOND = 30;
export const EDIT_BURST = 60;
/** Edit frames per second from all sockets of one client address, with a burst: without it a
 *  client that reconnects gets a fresh per-socket allowance each time. Four times one socket's,
 *  so a classroom behind one NAT address can draw together; refusals under it are not strikes. */
export const ADDRESS_EDITS_PER_SECOND = 4 * EDITS_PER_SECOND;
export const ADDRESS_EDIT_BURST = 4 * EDIT_BURST;
/** Keyframe requests (VIEWPORT, RESYNC, and HELLO after the first) per second per socket, burst
 *  twice that: each costs a read and an encoding of up to 4096² cells, so a client pans by sending
 *  ~10 viewports a second. */
export const VIEWS_PER_SECOND = 20;
export const VIEW_BURST = 40;
/** Undecodable frames tolerated per socket before it is closed with 1003; a buggy but honest
 *  client sees error frames first. */
export const MAX_BAD_FRAMES = 16;
/** Rate-limit and permission violations tolerated per socket before it is closed with 1008. */
export const MAX_POLICY_STRIKES = 32;
/** Work of one tick, in cell-generations (width × height × generationsPerTick): 2^30 keeps a tick
 *  well under a second on one core (a 16384² grid may run 4 generations per tick, 1024² all 1000). */
export const MAX_TICK_CELL_GENERATIONS = 2 ** 30;
/** Work of one "step" request: 2^34 cell-generations, e.g. 16,384 generations of 1024² — the
 *  request answers when done and must stay within a Durable Object's CPU limit. */
export const MAX_STEP_CELL_GENERATIONS = 2 ** 34;
/** Work of one catch-up (worker/room-clock.ts: a running room nobody watched, brought to the
 *  generation its clock says when it is next observed): 2^34 cell-generations, about half a
 *  second of one core at the SIMD kernel's 35–37 G cells/s for Life — e.g. 16,384 generations of
 *  1024² (13.6 minutes away at 20 generations a second), 64 of 16384². It runs inside the request
 *  that observed the room, so it must stay far inside the 30 s CPU limit, and it holds up the
 *  room's other events meanwhile. */
export const MAX_CATCH_UP_CELL_GENERATIONS = 2 ** 34;
/** Undo steps kept per player (worker/undo.ts; a step is one edit, or one whole brush stroke):
 *  more than the hundred a person undoes in a row; the oldest goes past it. */
export const MAX_UNDO_STEPS = 128;
/** One edit's undo record (the cells it changed, compressed) must fit one SQLite row (~2 MB) with
 *  room to spare; a larger one (a stamp that changes millions of scattered cells) is applied, and
 *  its undo is refused. */
export const MAX_UNDO_RECORD_BYTES = 1 << 20;
/** A stamp's rectangle is compared cell by cell with the grid to record it: past this many packed
 *  bytes (2^24 cells, 4096²) the three working bitmaps (before, born, killed) would take 6 MiB next
 *  to the engine in the object's 128 MB, so the stamp is applied and its undo refused. */
export const MAX_UNDO_AREA_BYTES = 1 << 21;
/** A player's undo and redo records together: a stroke costs a few KiB, so 128 of them fit many
 *  times over, while a player stamping large patterns keeps only the newest few. Every byte is
 *  written to the room's storage once, with the edit, so this also bounds what one player's edits
 *  add to the room's writes. */
export const MAX_UNDO_PLAYER_BYTES = 8 << 20;
/** All players' records in one room: 512 players each at MAX_UNDO_PLAYER_BYTES would be 4 GiB of
 *  the object's storage. Past this the room's oldest steps go first, whoever made them. */
export const MAX_UNDO_ROOM_BYTES = 128 << 20;
/** Cells of a stamped pattern (its bounding rectangle): a quarter of the largest grid. */
export const MAX_STAMP_CELLS = 1 << 26;
/** Pending edits queued (in memory) for the next tick; beyond this the room answers RATE_LIMITED. */
export const MAX_PENDING_EDITS = 1024;
/** Their bytes (cells, or a stamp's unpacked bitmap): two of the largest stamps. A 16384² grid's
 *  engine already holds ~100 MiB of the object's 128 MB. */
export const MAX_PENDING_EDIT_BYTES = 2 * (MAX_STAMP_CELLS / 8);

// --- Timing ----------------------------------------------------------------------------------

/** A running room saves its grid at least this often, so a crash loses at most this much. */
export const SNAPSHOT_INTERVAL_MS = 2000;
/** Rooms report to the lobby at most this often. */
export const LOBBY_REPORT_INTERVAL_MS = 1000;
/** A ticking room's new generation and population reach the lobby at most this often (joins,
 *  leaves and settings still within LOBBY_REPORT_INTERVAL_MS): with many busy rooms the lobby's
 *  one thread would otherwise take a report per room per second only to move counters. */
export const LOBBY_REFRESH_INTERVAL_MS = 5000;
/** PRESENCE frames at most this often (~10 Hz). */
export const PRESENCE_INTERVAL_MS = 100;
/** Rooms nobody joined for this long are deleted by the lobby's sweep (see docs/api.md). */
export const ROOM_EXPIRY_MS = 30 * 24 * 60 * 60 * 1000;
/** How often the lobby looks for expired rooms. */
export const EXPIRY_SWEEP_MS = 60 * 60 * 1000;
/** When an alarm handler fails, the next attempt comes this much later rather than at once. */
export const ALARM_RETRY_MS = 1000;

// --- Storage ---------------------------------------------------------------------------------

/** Snapshot chunks hold at most this many grid bytes: half of the ~2 MB value limit, so even an
 *  incompressible chunk and its header fit. */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/** Rooms listed by GET /api/rooms. */
export const LOBBY_LIST_LIMIT = 200;
