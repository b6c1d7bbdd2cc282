/**
 * What a room's RPC method answers: a value, or a failure the HTTP layer turns into a status code
 * and a JSON body (and the socket layer into an ERROR frame with the same code and reason).
 */
import { ErrorCode, type ErrorCodeId } from "../common/protocol/index.ts";

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; code: ErrorCodeId; error: string };

// Named failures, so every error path reads the same in HTTP and WebSocket code and in tests.
export const fail = <T>(status: number, code: ErrorCodeId, error: string): Outcome<T> => ({ ok: false, status, code, error });
export const roomNotFound = <T>() => fail<T>(404, ErrorCode.BAD_REQUEST, "room not found");
export const tooManyRequests = <T>() => fail<T>(429, ErrorCode.RATE_LIMITED, "too many requests");
export const tokenMissing = <T>() => fail<T>(401, ErrorCode.NOT_OWNER, "owner token required");
export const tokenWrong = <T>() => fail<T>(403, ErrorCode.NOT_OWNER, "wrong owner token");
export const editingLocked = <T>() => fail<T>(403, ErrorCode.LOCKED, "editing is locked by the owner");
export const badRequest = <T>(error: string) => fail<T>(400, ErrorCode.BAD_REQUEST, error);
export const outOfBounds = <T>(error: string) => fail<T>(400, ErrorCode.OUT_OF_BOUNDS, error);
