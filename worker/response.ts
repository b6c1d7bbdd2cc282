/**
 * The HTTP API's answers: JSON bodies, and errors as `{"error": "<short reason>"}` with a 4xx
 * status; an unexpected failure is a bare 500 with no detail. No CORS headers are sent: the API
 * serves the pages of its own origin.
 */
import type { Outcome } from "./outcome.ts";

const JSON_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

export function errorResponse(status: number, error: string, headers: Record<string, string> = {}): Response {
  return json({ error }, status, headers);
}

export const notFound = (): Response => errorResponse(404, "not found");
export const roomNotFoundResponse = (): Response => errorResponse(404, "room not found");
export const internalError = (): Response => errorResponse(500, "internal error");

/** A room's answer as a response: `ok` builds the success, a failure becomes its status and error. */
export function fromOutcome<T>(outcome: Outcome<T>, ok: (value: T) => Response): Response {
  return outcome.ok ? ok(outcome.value) : errorResponse(outcome.status, outcome.error);
}
