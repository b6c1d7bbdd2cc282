/**
 * The protocol version and every limit a client must know. The server's own policy limits (rates,
 * sockets per room, timeouts) live in worker/limits.ts.
 */
import { MAX_SIDE } from "../grid.ts";

/** The first byte of every frame, both ways. */
export const PROTOCOL_VERSION = 1;

/** Largest client frame the server reads; bigger ones are refused with close code 1009. A stamp of
 *  a large RLE pattern is the biggest legitimate frame; 64 KiB of RLE is a very big pattern. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/** Cells in one SET_CELLS frame: a fast brush stroke at 60 Hz sends tens, not thousands. */
export const MAX_CELLS_PER_EDIT = 4096;
/** Player names, in UTF-16 code units after control characters are stripped. */
export const MAX_PLAYER_NAME = 32;
/** Room names, same unit. */
export const MAX_ROOM_NAME = 64;
/** Owner tokens are 22 base64url characters; anything longer is not a token. */
export const MAX_TOKEN_LENGTH = 64;
/** Rule strings such as "B36/S23"; "B012345678/S012345678" is 21 characters. */
export const MAX_RULE_LENGTH = 32;
/** A viewport is at most this many output cells on a side (a 4K screen at one pixel per cell);
 *  a client wanting more of the grid asks for a coarser scale. */
export const MAX_VIEW_SIDE = 4096;
/** Overview scales are powers of two from 1 (every cell) to MAX_SCALE (one bit per 256² block,
 *  so a 16384² grid fits in 64×64 output cells). */
export const MAX_SCALE = 256;
/** Generations one "step" control may ask for (the server may refuse less on a huge grid). */
export const MAX_STEP_GENERATIONS = 100_000;
/** Grid sides, ticks and speed: the room's settings bounds (grid sides are the engine's). */
export const MIN_GRID_SIDE = 1;
export const MAX_GRID_SIDE = MAX_SIDE;
export const MIN_TICK_MS = 16;
export const MAX_TICK_MS = 10_000;
export const MIN_GENERATIONS_PER_TICK = 1;
export const MAX_GENERATIONS_PER_TICK = 1000;
/** A client should send RECEIVED at least every this many KEYFRAME/DELTA frames; the server stops
 *  sending deltas to a socket that is further behind than MAX_UNACKED_FRAMES and sends it one
 *  fresh keyframe once it catches up, instead of queueing without bound. */
export const RECEIVED_EVERY_FRAMES = 8;
export const MAX_UNACKED_FRAMES = 64;
/** The same bound in bytes: once at least RECEIVED_EVERY_FRAMES frames and more than this many
 *  bytes of KEYFRAME/DELTA frames are unacknowledged, the socket counts as behind too. Keyframes
 *  of a 4096² view are 2 MiB, so frames alone would let 64 of them (128 MiB) pile up. Counting at
 *  least RECEIVED_EVERY_FRAMES frames first means a client that acknowledges every 8 frames
 *  always gets to send its RECEIVED. */
export const MAX_UNACKED_BYTES = 8 * 1024 * 1024;
/** Generations one STEP frame may ask a predicting client to run (see common/lockstep/). Its band
 *  is this many cells deep; beyond it the server sends the changed tiles (DELTA) instead. */
export const MAX_PREDICT_STEPS = 64;

/** STATS frames come at most this often while a room runs (they need a population count over
 *  the whole grid); a client may read them as the room's heartbeat. */
export const STATS_INTERVAL_MS = 250;
/** Open sockets per room. The broadcast path is designed for 500 viewers at 20 ticks/s; beyond
 *  that a room's single thread cannot keep every tick on time. Further sockets get close 1013.
 *  A deployment may set a lower cap with the ROOM_CONNECTION_CAP variable (never a higher one). */
export const MAX_CONNECTIONS_PER_ROOM = 512;
/** Rooms one client address may create in a burst before it is held to the per-minute rate
 *  (HTTP 429 past it); see ROOM_CREATIONS_PER_MINUTE in worker/limits.ts. */
export const ROOM_CREATION_BURST = 10;

/** A scale both ends accept: a power of two from 1 to MAX_SCALE. */
export function isPowerOfTwoScale(scale: number): boolean {
  return Number.isInteger(scale) && scale >= 1 && scale <= MAX_SCALE && (scale & (scale - 1)) === 0;
}
