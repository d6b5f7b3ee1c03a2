import type { IncomingHttpHeaders } from "node:http";
import { type Dispatcher, errors, getGlobalDispatcher, util } from "undici";

/** Unread body bytes past this pause the socket until the reader catches up (a Readable's mark). */
const HIGH_WATER_BYTES = 64 * 1024;

/** What {@link HttpExchange.take} returns once the whole body has been read. */
export const END_OF_BODY = null;

/** One request: where it goes and what it carries. */
export interface ExchangeRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Undici's `headersTimeout` and `bodyTimeout` (between two network reads of the body). */
  timeoutMs: number;
  dispatcher: Dispatcher | undefined;
}

type RawHeaders = Buffer[] | string[];

/**
 * Empties the list of raw headers undici handed over, once read (the values are strings now).
 * Without an interceptor in between, the list is the HTTP/1 parser's (undici 6 and 7, Node's
 * bundled ones included): the parser starts it when the previous response on the socket completes,
 * it lives through the idle time between two requests, and V8 soon allocates it in the old
 * generation (allocation-site pretenuring). Its entries are views of the network read the headers
 * came in: a dead list in the old generation kept each of those reads' buffers alive through every
 * scavenge until a mark-compact, and on 100 concurrent streams a process ran 26 to 32 mark-compacts
 * where it now runs 5 or 6 (docs/performance.md, "What tips a process"). Emptied, the reads die
 * young. The parser has dropped the list by now and undici's own code reads it no more. Two holders
 * may outlive this call: a subscriber of `undici:request:headers`, published the same list just
 * before, and an interceptor of undici's original protocol; one that kept the list to read it once
 * the response was over would find it empty. Behind an interceptor of undici 7's protocol the list
 * here is a copy, and emptying it changes nothing. A list that cannot be emptied (frozen by
 * someone) is left as it is.
 */
function releaseRawHeaders(rawHeaders: RawHeaders): void {
  try {
    rawHeaders.length = 0;
  } catch {
    // Frozen or sealed: the memory is not ours to free, and the request must not fail over it.
  }
}

/**
 * The last URL sent to, split as undici wants it: a client sends every chat call to the same
 * one (a different URL, a generation's, is parsed and becomes the last).
 */
let lastURL = "";
let lastTarget = { origin: "", path: "" };

function targetOf(url: string): { origin: string; path: string } {
  if (url !== lastURL) {
    const parsed = new URL(url);
    lastTarget = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    lastURL = url;
  }
  return lastTarget;
}

/**
 * One HTTP request and its response, driven through undici's `dispatch` with a handler of our
 * own: the body's chunks are queued here and read with {@link take}, with no Node stream in
 * between (`request()` wraps every response in a Readable and its async iterator, most of what
 * separated the benchmark's floor from a bare dispatch). It keeps a Readable's contract: unread
 * bytes past {@link HIGH_WATER_BYTES} pause the socket, the idle timeouts are undici's own, and
 * an abort closes the socket.
 *
 * The handler is undici's original protocol (`onConnect`, `onHeaders`, `onData`, `onComplete`,
 * `onError`), not the controller one undici 7 added: a dispatcher from Node's bundled undici
 * (6.x on Node 20 and 22), which becomes the global one once the process has called `fetch()`,
 * speaks only that one, and undici 7 speaks both.
 */
export class HttpExchange implements Dispatcher.DispatchHandler {
  statusCode = 0;
  headers: IncomingHttpHeaders = {};
  readonly #head: Promise<HttpExchange>;
  #resolveHead!: (exchange: HttpExchange) => void;
  #rejectHead!: (error: unknown) => void;
  /** Undici's abort for this request, once it is on a connection. */
  #abort: ((reason?: Error) => void) | undefined;
  /** Set once the exchange failed or was aborted: what reading it throws. */
  #error: unknown;
  #failed = false;
  #ended = false;
  readonly #chunks: Buffer[] = [];
  #unreadBytes = 0;
  #resume: (() => void) | undefined;
  #paused = false;
  /** What readers waiting for the next chunk, the end or the failure are given. */
  #arrival: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** After {@link discardRest}: how many more bytes may arrive before the socket is closed. */
  #discardBudget = -1;

  private constructor() {
    this.#head = new Promise<HttpExchange>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
  }

  /**
   * Sends the request; resolves with the exchange once the response's status and headers are in
   * (any status: the caller decides), rejects with undici's error or the abort's reason.
   */
  static send(request: ExchangeRequest): { exchange: HttpExchange; head: Promise<HttpExchange> } {
    const exchange = new HttpExchange();
    try {
      const { origin, path } = targetOf(request.url);
      (request.dispatcher ?? getGlobalDispatcher()).dispatch(
        {
          origin,
          path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        },
        exchange,
      );
    } catch (error) {
      // What `request()` did: a dispatcher that throws (bad options, an interceptor's refusal)
      // fails the request rather than its caller.
      exchange.onError(error as Error);
    }
    return { exchange, head: exchange.#head };
  }

  /**
   * The next unread chunk of the body, {@link END_OF_BODY} at its end, or undefined when none has
   * arrived yet ({@link arrival} says when to ask again). Chunks that arrived before a failure
   * are read first; then the failure is thrown.
   */
  take(): Buffer | typeof END_OF_BODY | undefined {
    // The queue is short: the socket pauses past the mark.
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#unreadBytes -= chunk.length;
      if (this.#paused && this.#unreadBytes <= HIGH_WATER_BYTES) {
        this.#paused = false;
        this.#resume?.();
      }
      return chunk;
    }
    if (this.#failed) throw this.#error;
    return this.#ended ? END_OF_BODY : undefined;
  }

  /** Settles when {@link take} has something new to say (at once if it has already). */
  arrival(): Promise<void> {
    if (this.#chunks.length !== 0 || this.#ended || this.#failed) return Promise.resolve();
    this.#arrival ??= new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    return this.#arrival;
  }

  /** The whole body as UTF-8, refusing to hold more than `maxBytes` (a RangeError, socket closed). */
  async text(maxBytes: number): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = this.take();
      if (chunk === END_OF_BODY) return Buffer.concat(chunks).toString("utf8");
      if (chunk === undefined) {
        await this.arrival();
        continue;
      }
      size += chunk.length;
      if (size > maxBytes) {
        this.abort();
        throw new RangeError(`body larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  }

  /**
   * The reader is done: what still arrives (the chunked terminator, say) is dropped, so that the
   * connection goes back to the pool; more than `maxBytes` of it closes the socket instead.
   */
  discardRest(maxBytes: number): void {
    if (this.#ended || this.#failed) return;
    this.#discardBudget = maxBytes - this.#unreadBytes;
    this.#chunks.length = 0;
    this.#unreadBytes = 0;
    if (this.#discardBudget < 0) this.abort();
    else if (this.#paused) {
      this.#paused = false;
      this.#resume?.();
    }
  }

  /**
   * Stops the exchange and closes its socket, unless the response was complete (then it stays
   * readable): whoever waits for the headers gets `reason`, a reader gets what had arrived, then
   * `reason`.
   */
  abort(reason?: unknown): void {
    if (this.#ended || this.#failed) return;
    const error = reason ?? new errors.RequestAbortedError();
    this.#fail(error);
    this.#abort?.(error as Error);
  }

  // undici's handler protocol.

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#failed) abort(this.#error as Error);
    else this.#abort = abort;
  }

  onHeaders(
    statusCode: number,
    rawHeaders: RawHeaders,
    resume: () => void,
    _statusText?: string,
  ): boolean {
    if (statusCode < 200) return true; // 100 Continue and the like: the answer is still to come
    this.statusCode = statusCode;
    this.headers = util.parseHeaders(rawHeaders) as IncomingHttpHeaders;
    releaseRawHeaders(rawHeaders);
    this.#resume = resume;
    this.#resolveHead(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#failed) return false;
    if (this.#discardBudget >= 0) {
      this.#discardBudget -= chunk.length;
      if (this.#discardBudget < 0) this.abort();
      return !this.#failed;
    }
    this.#chunks.push(chunk);
    this.#unreadBytes += chunk.length;
    this.#wakeReader();
    if (this.#unreadBytes > HIGH_WATER_BYTES) this.#paused = true;
    return !this.#paused;
  }

  onComplete(_trailers: RawHeaders | null): void {
    if (this.#failed) return;
    this.#ended = true;
    this.#stopPausing();
    this.#wakeReader();
  }

  onError(error: Error): void {
    if (this.#ended || this.#failed) return;
    this.#fail(error);
  }

  #fail(error: unknown): void {
    this.#failed = true;
    this.#error = error;
    this.#stopPausing();
    // Whoever waits for the headers gets the error; once they are in, this changes nothing.
    this.#rejectHead(error);
    this.#wakeReader();
  }

  /** The request is over: its socket's `resume` belongs to the next request on it. */
  #stopPausing(): void {
    this.#paused = false;
    this.#resume = undefined;
  }

  #wakeReader(): void {
    const wake = this.#wake;
    if (wake === undefined) return;
    this.#wake = undefined;
    this.#arrival = undefined;
    wake();
  }
}
