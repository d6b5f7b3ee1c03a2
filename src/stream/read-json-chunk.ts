import type { Dispatcher } from "undici";
import { ParseError } from "../errors.js";
import { readBodyText } from "../transport/read-body-text.js";
import type { WireChunk } from "../wire.js";

/** The largest non-streaming (JSON) body we buffer: a bigger one is refused, not held. */
const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A JSON body read whole and parsed as one chunk: the answer to `complete()`, a server that
 * ignored `stream: true`, or an error object sent with a 2xx status. Whatever it is not (too
 * big, not JSON, not an object) is a ParseError naming the request.
 */
export async function readJsonChunk(
  body: Dispatcher.ResponseData["body"],
  description: string,
): Promise<{ json: WireChunk; text: string }> {
  const text = await readBodyText(body, MAX_JSON_BODY_BYTES).catch((cause: unknown) => {
    if (!(cause instanceof RangeError)) throw cause;
    throw new ParseError(
      `${description} answered with a JSON body over ${MAX_JSON_BODY_BYTES} bytes`,
      {
        data: "",
        cause,
      },
    );
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ParseError(`${description} answered with a body that is not JSON`, {
      data: text,
      cause,
    });
  }
  if (typeof json !== "object" || json === null) {
    throw new ParseError(`${description} answered with JSON that is not a completion`, {
      data: text,
    });
  }
  return { json: json as WireChunk, text };
}
