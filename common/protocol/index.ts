/**
 * The wire contract between a room and its players, defined once: the binary WebSocket frames,
 * their payload codecs, the JSON shapes of the HTTP API, and every limit a client must respect.
 * The worker, the web client, the tests and the benchmarks all import it from here.
 *
 *   limits.ts         the protocol version and the limits a client must know
 *   codes.ts          opcodes, codec ids, error codes, close codes
 *   messages.ts       every frame as a value (the encoders' input, the decoders' output)
 *   bytes.ts          the frame header, the byte Writer and Reader, decoding into a value or an error
 *   settings.ts       the settings block of WELCOME and SETTINGS
 *   server-frames.ts  server → client layouts, encoders and decoder
 *   client-frames.ts  client → server layouts, encoder and decoder
 *   codecs.ts         payload codecs: RUNS, DEFLATE; payload lengths by scale
 *   http.ts           the HTTP API's JSON shapes, room ids, control actions as JSON
 *   text.ts           what names may contain
 */
export { TILE_BYTES, TILE_SIZE } from "../grid.ts";
export { DENSITY_TILE_BYTES } from "../density.ts";
export {
  MAX_CELLS_PER_EDIT,
  MAX_CONNECTIONS_PER_ROOM,
  ROOM_CREATION_BURST,
  STATS_INTERVAL_MS,
  MAX_CLIENT_FRAME_BYTES,
  MAX_GENERATIONS_PER_TICK,
  MAX_GRID_SIDE,
  MAX_PLAYER_NAME,
  MAX_PREDICT_STEPS,
  MAX_ROOM_NAME,
  MAX_RULE_LENGTH,
  MAX_SCALE,
  MAX_STEP_GENERATIONS,
  MAX_TICK_MS,
  MAX_TOKEN_LENGTH,
  MAX_UNACKED_BYTES,
  MAX_UNACKED_FRAMES,
  MAX_VIEW_SIDE,
  MIN_GENERATIONS_PER_TICK,
  MIN_GRID_SIDE,
  MIN_TICK_MS,
  PROTOCOL_VERSION,
  RECEIVED_EVERY_FRAMES,
  isPowerOfTwoScale,
} from "./limits.ts";
export {
  ClientType,
  CloseCode,
  Codec,
  ErrorCode,
  ServerType,
  StepSide,
  TERMINAL_CLOSE_CODES,
  REFUSAL_CLOSE_CODES,
  MAX_REFUSED_RECONNECTS,
  type CodecId,
  type ErrorCodeId,
} from "./codes.ts";
export type {
  ClientMessage,
  ControlAction,
  Decoded,
  PresenceEntry,
  ProtocolError,
  RoomSettings,
  ServerMessage,
  TileRecord,
} from "./messages.ts";
export {
  DELTA_HEADER_BYTES,
  KEYFRAME_HEADER_BYTES,
  STEP_CHECKSUM_BYTES,
  STEP_HEADER_BYTES,
  TILE_RECORD_HEADER_BYTES,
  assembleDelta,
  assembleStep,
  decodeServerFrame,
  encodeServerMessage,
  encodeTileRecord,
} from "./server-frames.ts";
export { STAMP_HEADER_BYTES, decodeClientFrame, encodeClientMessage } from "./client-frames.ts";
export { bitsPerCell, decodePayload, decodeRuns, deflateRaw, encodePayload, encodeRuns, inflateRaw, keyframeBytes, tileBytes } from "./codecs.ts";
export { ROOM_ID_PATTERN, isRoomId, parseControlJson, type CreateRoomRequest, type CreatedRoom, type RoomInfo } from "./http.ts";
export { sanitizeName } from "./text.ts";
