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
