import type { Readable } from "node:stream";

/**
 * Reads a whole body as UTF-8, refusing to buffer more than `maxBytes`: past it the body is
 * destroyed (closing the socket) and a RangeError is thrown.
 */
export async function readBodyText(body: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      body.destroy();
      throw new RangeError(`body larger than ${maxBytes} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** After `[DONE]`, how much trailing body is read so that the socket can be reused. */
const MAX_TRAILER_BYTES = 64 * 1024;

/**
 * Reads what little may follow the end of a stream (the chunked terminator) so that the
 * connection goes back to the pool. False when the server kept sending past the limit: the
 * caller closes that socket. A late socket error changes nothing: the answer is settled.
 */
export async function drainTrailer(reader: AsyncIterator<Buffer>): Promise<boolean> {
  let bytes = 0;
  try {
    for (;;) {
      const result = await reader.next();
      if (result.done) return true;
      bytes += result.value.length;
      if (bytes > MAX_TRAILER_BYTES) return false;
    }
  } catch {
    return true;
  }
}
