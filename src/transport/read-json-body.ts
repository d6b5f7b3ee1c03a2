import { ParseError } from "../errors.js";
import type { HttpExchange } from "./http-exchange.js";

/**
 * A 2xx JSON body read whole (at most `maxBytes`: a bigger one is refused, not held) and parsed
 * as an object. Whatever it is not (too big, not JSON, not an object) is the server's fault: a
 * ParseError naming the request, which is never worth asking again.
 */
export async function readJsonBody(
  response: HttpExchange,
  description: string,
  maxBytes: number,
): Promise<{ json: object; text: string }> {
  const text = await response.text(maxBytes).catch((cause: unknown) => {
    if (!(cause instanceof RangeError)) throw cause;
    throw new ParseError(`${description} answered with a JSON body over ${maxBytes} bytes`, {
      data: "",
      cause,
    });
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
    throw new ParseError(`${description} answered with JSON that is not an object`, {
      data: text,
    });
  }
  return { json, text };
}
