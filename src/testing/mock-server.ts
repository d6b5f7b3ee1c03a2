import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { renderEvents } from "./render-events.js";

/** What the server answers to one request. */
export interface MockReply {
  /** @defaultValue `200` */
  status?: number;
  /** Response headers; `content-type` defaults to match the body. */
  headers?: Record<string, string>;
  /** An SSE body, e.g. a recorded `.sse` transcript, sent byte for byte. */
  sse?: string | Buffer;
  /**
   * An SSE body as events: an object is sent as `data: <its JSON>`, a string starting with
   * `:` as a comment, any other string as `data: <string>` (so `"[DONE]"`, or a malformed line).
   */
  events?: readonly unknown[];
  /** A JSON body (an error object, a non-streaming completion). */
  json?: unknown;
  /** A raw body (an HTML error page, say). */
  text?: string;
  /**
   * How the body is cut into network writes: a size in bytes, or a list of sizes (the last one
   * repeats). Sizes may cut through a multi-byte character or between `\r` and `\n`.
   * @defaultValue one write per event for `events`, the whole body otherwise
   */
  writes?: number | readonly number[];
  /** Milliseconds between two writes. @defaultValue `0` */
  delayMs?: number;
  /** Fault: send this many bytes of the body, then nothing more, keeping the socket open. */
  stallAfterBytes?: number;
  /** Fault: send this many bytes of the body, then destroy the socket. */
  destroyAfterBytes?: number;
}

/** A request as the server received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received, byte for byte (UTF-8). */
  text: string;
  /** The parsed JSON body (undefined if it was not JSON). */
  body: unknown;
  /** Resolves when the response is over: `true` when the client closed it before the end. */
  closed: Promise<boolean>;
  /** Body bytes written to the socket so far. */
  bytesSent(): number;
  /**
   * Resolves the next time the server has to wait for the client to read (the socket's
   * buffers are full): how a test sees backpressure without timing anything.
   */
  blocked(): Promise<void>;
}

export type MockReplies =
  | MockReply
  | readonly MockReply[]
  | ((request: RecordedRequest, index: number) => MockReply | Promise<MockReply>);

export interface MockServerOptions {
  /**
   * The answers: one reply for every request, a list (request n gets reply n; the last one
   * repeats), or a function of the request.
   */
  replies: MockReplies;
  /** @defaultValue `0` (any free port) */
  port?: number;
}

export interface MockServer {
  /** Base URL to give the client, e.g. `http://127.0.0.1:53211/api/v1`. */
  baseURL: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Replaces the answers for the requests that follow. */
  setReplies(replies: MockReplies): void;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/**
 * An OpenRouter-compatible chat completions server on 127.0.0.1 that replays transcripts at
 * the chosen chunking and pace and injects faults. Used by this SDK's tests, benchmark and
 * offline demo, and usable in yours:
 *
 * ```ts
 * const server = await startMockServer({ replies: { sse: recordedStream } });
 * const client = new OpenRouter({ apiKey: "test", baseURL: server.baseURL });
 * ```
 */
export async function startMockServer(options: MockServerOptions): Promise<MockServer> {
  let replies = options.replies;
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    void handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const closed = new Promise<boolean>((resolve) => {
      response.once("close", () => resolve(!response.writableFinished));
    });
    const progress: ReplyProgress = { bytesSent: 0, onBlocked: [] };
    const recorded: RecordedRequest = {
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      text,
      body,
      closed,
      bytesSent: () => progress.bytesSent,
      blocked: () => new Promise((resolve) => progress.onBlocked.push(resolve)),
    };
    const index = requests.push(recorded) - 1;
    if (!isRoute(request)) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: { code: 404, message: `No route for ${request.method} ${request.url}` },
        }),
      );
      return;
    }
    const reply =
      typeof replies === "function"
        ? await replies(recorded, index)
        : Array.isArray(replies)
          ? (replies[Math.min(index, replies.length - 1)] as MockReply)
          : (replies as MockReply);
    await sendReply(reply, response, progress);
  }

  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/api/v1`,
    port,
    requests,
    setReplies(next) {
      replies = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

/** What the server answers: chat completions, and generation records (`GET /generation?id=`). */
function isRoute(request: IncomingMessage): boolean {
  const path = (request.url ?? "").split("?")[0] ?? "";
  if (request.method === "POST") return path.endsWith("/chat/completions");
  return request.method === "GET" && path.endsWith("/generation");
}

interface ReplyProgress {
  bytesSent: number;
  onBlocked: Array<() => void>;
}

async function sendReply(
  reply: MockReply,
  response: ServerResponse,
  progress: ReplyProgress,
): Promise<void> {
  const { body, pieces, contentType } = renderBody(reply);
  response.writeHead(reply.status ?? 200, {
    "content-type": contentType,
    "cache-control": "no-cache",
    ...reply.headers,
  });
  const writes = cutIntoWrites(body, pieces, reply.writes);
  const stopAt = reply.stallAfterBytes ?? reply.destroyAfterBytes ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  for (const [i, write] of writes.entries()) {
    if (response.destroyed) return;
    // Between writes, at least one turn of the event loop: a client in this same process then
    // reads each write on its own instead of finding them all coalesced in the socket.
    if (i > 0)
      await (reply.delayMs
        ? sleep(reply.delayMs)
        : new Promise((resolve) => setImmediate(resolve)));
    const piece = sent + write.length > stopAt ? write.subarray(0, stopAt - sent) : write;
    sent += piece.length;
    progress.bytesSent = sent;
    if (piece.length > 0 && !response.write(piece)) {
      for (const resolve of progress.onBlocked.splice(0)) resolve();
      await drainOrClose(response);
    }
    if (sent >= stopAt) break;
  }
  if (reply.destroyAfterBytes !== undefined) {
    // Let the bytes already written leave before the socket goes.
    await new Promise((resolve) => setImmediate(resolve));
    response.socket?.destroy();
    return;
  }
  if (reply.stallAfterBytes !== undefined) return; // the client's timeout, or close(), ends it
  response.end();
}

function renderBody(reply: MockReply): {
  body: Buffer;
  pieces: Buffer[] | undefined;
  contentType: string;
} {
  if (reply.events !== undefined) {
    const pieces = reply.events.map((event) => Buffer.from(renderEvents([event])));
    return { body: Buffer.concat(pieces), pieces, contentType: "text/event-stream" };
  }
  if (reply.sse !== undefined) {
    const body = Buffer.isBuffer(reply.sse) ? reply.sse : Buffer.from(reply.sse);
    return { body, pieces: undefined, contentType: "text/event-stream" };
  }
  if (reply.json !== undefined) {
    return {
      body: Buffer.from(JSON.stringify(reply.json)),
      pieces: undefined,
      contentType: "application/json",
    };
  }
  return { body: Buffer.from(reply.text ?? ""), pieces: undefined, contentType: "text/plain" };
}

function cutIntoWrites(
  body: Buffer,
  pieces: Buffer[] | undefined,
  writes: number | readonly number[] | undefined,
): Buffer[] {
  if (writes === undefined) return pieces ?? [body];
  const sizes = typeof writes === "number" ? [writes] : writes;
  const result: Buffer[] = [];
  for (let offset = 0, i = 0; offset < body.length; i++) {
    const size = Math.max(1, sizes[Math.min(i, sizes.length - 1)] ?? body.length);
    result.push(body.subarray(offset, offset + size));
    offset += size;
  }
  return result;
}

/** Waits until the socket takes more, or is gone; leaves no listener behind. */
function drainOrClose(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}
