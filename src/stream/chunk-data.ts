import type { WireChunk } from "../wire.js";

/** The largest single SSE event we buffer; a bigger one fails the stream instead of the process. */
export const MAX_EVENT_CHARS = 16 * 1024 * 1024;

export const EVENT_TOO_LARGE = `An event exceeded the limit of ${MAX_EVENT_CHARS} characters`;

/** Why a `data:` line is no chunk: the server's fault, a ParseError that keeps the line. */
export class BadChunkData {
  constructor(
    readonly message: string,
    readonly cause?: unknown,
  ) {}
}

/**
 * One `data:` line (not `[DONE]`) read as a chunk: one `JSON.parse`, or what is wrong with it.
 * The parser bounds an event that arrives in pieces; the length check bounds one read that held
 * it whole.
 */
export function readChunkData(data: string): WireChunk | BadChunkData {
  if (data.length > MAX_EVENT_CHARS) return new BadChunkData(EVENT_TOO_LARGE);
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch (cause) {
    return new BadChunkData("The stream sent a data line that is not JSON", cause);
  }
  if (typeof chunk !== "object" || chunk === null)
    return new BadChunkData("The stream sent a data line that is not a chunk object");
  return chunk as WireChunk;
}
