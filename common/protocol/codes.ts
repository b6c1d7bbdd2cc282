/** Opcodes, codec ids, error codes and close codes: every number on the wire that names something. */

/** Frame types from server to client (0x01..0x3f). */
export const ServerType = {
  WELCOME: 0x01,
  KEYFRAME: 0x02,
  DELTA: 0x03,
  PRESENCE: 0x04,
  STATS: 0x05,
  SETTINGS: 0x06,
  ACK: 0x07,
  ERROR: 0x08,
  STEP: 0x09,
} as const;

/** The sides of a view rectangle that carry a band in a STEP frame (its `sides` bits). */
export const StepSide = { TOP: 1, RIGHT: 2, BOTTOM: 4, LEFT: 8 } as const;

/** Frame types from client to server (0x41..0x7f). */
export const ClientType = {
  HELLO: 0x41,
  VIEWPORT: 0x42,
  SET_CELLS: 0x43,
  STAMP: 0x44,
  CURSOR: 0x45,
  CONTROL: 0x46,
  RESYNC: 0x47,
  RECEIVED: 0x48,
  UNDO: 0x49,
  REDO: 0x4a,
} as const;

/** How a packed-bits payload is encoded. The frame says which, so a client decodes any of them
 *  (the codecs themselves are in codecs.ts). */
export const Codec = {
  /** The packed bytes as they are. */
  NONE: 0,
  /** Zero runs and literals (see encodeRuns); synchronous and cheap, good on sparse grids. */
  RUNS: 1,
  /** DEFLATE without header (CompressionStream "deflate-raw"); asynchronous, better on dense data. */
  DEFLATE: 2,
} as const;
export type CodecId = (typeof Codec)[keyof typeof Codec];

/** The `code` of ERROR frames. */
export const ErrorCode = {
  BAD_FRAME: 1, // malformed: wrong length, bad field value, invalid UTF-8, text frame
  BAD_VERSION: 2, // first byte is not PROTOCOL_VERSION
  UNKNOWN_TYPE: 3, // second byte is not a client type
  TOO_LARGE: 4, // over a size limit (the socket is also closed with 1009 when the frame itself is)
  RATE_LIMITED: 5, // too many edits; wait and retry
  NOT_OWNER: 6, // control needs the owner token (sent in HELLO)
  LOCKED: 7, // the owner locked editing
  BAD_PATTERN: 8, // the stamped text is not a pattern
  OUT_OF_BOUNDS: 9, // cells or pattern outside a plane grid
  BAD_REQUEST: 10, // a well-formed request the room cannot accept (invalid rule, out-of-range value)
  NOT_READY: 11, // a frame other than HELLO before HELLO
  CONFLICT: 12, // e.g. "step" while running
  INTERNAL: 13, // the room failed; nothing was changed
  NOTHING_TO_UNDO: 14, // UNDO (or REDO) with nothing of this player's left to undo (or redo)
} as const;
export type ErrorCodeId = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. A client should not reconnect after a terminal one. */
export const CloseCode = {
  NORMAL: 1000,
  UNSUPPORTED: 1003, // repeated undecodable frames
  POLICY: 1008, // repeated rate-limit or permission violations
  TOO_BIG: 1009, // a frame above MAX_CLIENT_FRAME_BYTES
  INTERNAL: 1011,
  TRY_AGAIN: 1013, // room full, or too many connections from one address: retry later
  ROOM_NOT_FOUND: 4404, // unknown or deleted room
  TOO_SLOW: 4408, // acknowledged no frame for STALLED_SOCKET_MS while behind: reconnect
} as const;
/** After these a reconnection cannot help: the room is not there. */
export const TERMINAL_CLOSE_CODES: readonly number[] = [CloseCode.ROOM_NOT_FOUND];
/**
 * The server refused what this connection sent. A fresh connection starts with a clean record and
 * nothing that was queued on the old one, so a client reconnects after one of these too, but at
 * most MAX_REFUSED_RECONNECTS times in a row without a stable connection between: past that the
 * client itself is at fault and says so instead of looping.
 */
export const REFUSAL_CLOSE_CODES: readonly number[] = [CloseCode.UNSUPPORTED, CloseCode.POLICY, CloseCode.TOO_BIG];
export const MAX_REFUSED_RECONNECTS = 2;