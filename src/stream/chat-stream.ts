import { context, trace } from "@opentelemetry/api";
import type { EventSourceMessage } from "eventsource-parser";
import { ConnectionError, OpenRouterError, ParseError, partialOf } from "../errors.js";
import type { CallTelemetry } from "../telemetry/call-telemetry.js";
import { END_OF_BODY, type HttpExchange } from "../transport/http-exchange.js";
import { readUnexpectedBody } from "../transport/read-api-error.js";
import { readJsonBody } from "../transport/read-json-body.js";
import { RequestStop } from "../transport/request-stop.js";
import { type SendRequestOptions, sendRequest } from "../transport/send-request.js";
import type { ChatEvent, ChatResponse } from "../types.js";
import type { WireChunk } from "../wire.js";
import { hasAnswerError, toAnswerAPIError, toBodyFailure, toStreamError } from "./answer-errors.js";
import { ChatAccumulator } from "./chat-accumulator.js";
import { BadChunkData, EVENT_TOO_LARGE, readChunkData } from "./chunk-data.js";
import { EventSourceReader } from "./event-source-reader.js";
import { type ChatStreamInit, StreamInit } from "./stream-init.js";
import { StreamIterator } from "./stream-iterator.js";

/** The largest non-streaming (JSON) body we buffer. */
const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;
/** After `[DONE]`, how much trailing body is let through so that the socket can be reused. */
const MAX_TRAILER_BYTES = 64 * 1024;

// Phases of a stream. Once past READING, nothing changes any more.
const IDLE = 0;
const READING = 1;
const COMPLETED = 2;
const FAILED = 3;
const CANCELLED = 4;

const DONE_RESULT: IteratorReturnResult<undefined> = Object.freeze({
  done: true,
  value: undefined,
});
const noop = () => {};

/**
 * One chat completion, streamed: an async iterable of {@link ChatEvent}s that can be consumed
 * once, and {@link ChatStream.response}, a promise of the final {@link ChatResponse}.
 *
 * The request is sent when iteration starts (or when `response` is awaited without
 * iterating). Every exit (the end of the stream, the consumer's `break`, an abort, a timeout,
 * a dropped socket, an error chunk, bad JSON) closes or releases the socket and ends the span
 * exactly once. An error is thrown by the iterator and rejects `response`; `response` never
 * causes an unhandled rejection on its own.
 */
export class ChatStream implements AsyncIterable<ChatEvent> {
  readonly #init: StreamInit;
  readonly #accumulator = new ChatAccumulator();
  readonly #reader: EventSourceReader;
  /** Events produced but not yet handed to the consumer, read from `#read` on. */
  #events: ChatEvent[] = [];
  #read = 0;
  /** When the last network read arrived: one clock reading per read, not per chunk. */
  #readAt = 0;
  #phase = IDLE;
  /** `next()` calls not yet settled that read the body, or wait behind one that does. */
  #pending = 0;
  #latest: Promise<IteratorResult<ChatEvent>> | undefined;
  #iterated = false;
  #drainScheduled = false;
  /** The error the iterator still has to throw, after the events queued before it. */
  #pendingError: unknown;
  #hasPendingError = false;
  /** The response, once its headers are in; its body is read by `#pull` (an event stream). */
  #body: HttpExchange | undefined;
  #telemetry: CallTelemetry | undefined;
  #removeAbortListener = noop;
  /** Stops the request while it waits for headers or a retry: the consumer's return(), an abort. */
  readonly #stop = new RequestStop();
  readonly #response: Promise<ChatResponse>;
  #resolve!: (response: ChatResponse) => void;
  #reject!: (error: unknown) => void;

  private constructor(init: ChatStreamInit) {
    this.#init = new StreamInit(init);
    this.#reader = new EventSourceReader(
      (message) => this.#onEvent(message),
      () => this.#fail(this.#parseError(EVENT_TOO_LARGE, "")),
      () => this.#events.length !== 0 || this.#phase !== READING,
    );
    this.#response = new Promise<ChatResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // The caller may only iterate: its error must not also surface as an unhandled rejection.
    this.#response.catch(noop);
  }

  /** @internal The client's factory: the constructor's parameters are not part of the API. */
  static create(init: ChatStreamInit): ChatStream {
    return new ChatStream(init);
  }

  /**
   * The final response, also the payload of the `final` event. Awaiting it without iterating
   * consumes the stream in the background; once the stream has been read this way it can no
   * longer be iterated.
   */
  get response(): Promise<ChatResponse> {
    if (!this.#iterated && !this.#drainScheduled) {
      this.#drainScheduled = true;
      // Give a caller who reads `response` before starting a for-await loop the chance to do so.
      queueMicrotask(() => {
        if (!this.#iterated) void this.#drain();
      });
    }
    return this.#response;
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatEvent> {
    if (this.#iterated) {
      throw new TypeError("A ChatStream can be consumed once: it is already being read");
    }
    this.#iterated = true;
    return new StreamIterator(
      () => this.#next(),
      () => this.#return(),
    );
  }

  async #drain(): Promise<void> {
    const iterator = this[Symbol.asyncIterator]();
    try {
      while (!(await iterator.next()).done) {
        // The events are also folded into the response; nothing to do with them here.
      }
    } catch {
      // The same error rejects `response`, where this caller looks.
    }
  }

  #next(): Promise<IteratorResult<ChatEvent>> {
    if (this.#pending === 0 && this.#read < this.#events.length) {
      return Promise.resolve({ value: this.#events[this.#read++]!, done: false });
    }
    // A call made before the previous one settled waits its turn (`for await` never does that).
    const turn = () => this.#take();
    this.#latest = this.#pending++ === 0 ? this.#take() : this.#latest!.then(turn, turn);
    return this.#latest;
  }

  /** The next event for one pending call: a buffered one, or what reading the body yields. */
  #take(): Promise<IteratorResult<ChatEvent>> {
    if (this.#read < this.#events.length) {
      this.#pending--;
      return Promise.resolve({ value: this.#events[this.#read++]!, done: false });
    }
    return this.#pull();
  }

  /** Reads the body until it yields at least one event, or the stream is over. */
  async #pull(): Promise<IteratorResult<ChatEvent>> {
    this.#events.length = 0;
    this.#read = 0;
    try {
      try {
        if (this.#phase === IDLE) await this.#open();
        const body = this.#body!;
        const reader = this.#reader;
        while (this.#phase === READING && this.#events.length === 0) {
          // The rest of the read that gave the first event comes before any later read.
          if (!reader.feedHeld()) {
            const chunk = body.take();
            if (chunk === undefined) {
              await body.arrival();
              continue;
            }
            if (this.#telemetry !== undefined) this.#readAt = performance.now();
            if (chunk === END_OF_BODY) this.#onEndOfBody();
            else reader.feed(chunk);
          }
          this.#telemetry?.onReadEnd(); // what was fed, recorded before anything else runs
        }
      } catch (error) {
        // A read that fails because the stream already settled (a concurrent `return()`) has
        // nothing to report: no error, and no partial response, is built for it.
        if (this.#phase === READING) this.#fail(this.#toStreamFailure(error));
      }
      if (this.#read < this.#events.length)
        return { value: this.#events[this.#read++]!, done: false };
      if (this.#hasPendingError) {
        this.#hasPendingError = false;
        const error = this.#pendingError;
        this.#pendingError = undefined;
        throw error;
      }
      return DONE_RESULT;
    } finally {
      this.#pending--;
    }
  }

  /** The consumer broke out of its loop (or called `return()`): close the socket now. */
  async #return(): Promise<IteratorResult<ChatEvent>> {
    this.#events.length = 0;
    this.#read = 0;
    this.#hasPendingError = false;
    if (this.#phase === IDLE || this.#phase === READING) {
      this.#phase = CANCELLED;
      this.#release();
      this.#telemetry?.end({
        kind: "cancelled",
        by: "consumer",
        partial: this.#accumulator.snapshot(),
      });
      this.#reject(
        new DOMException("The consumer stopped reading before the stream finished", "AbortError"),
      );
    }
    return DONE_RESULT;
  }

  async #open(): Promise<void> {
    const { send, parentContext } = this.#init;
    const signal = this.#init.signal;
    this.#phase = READING;
    // The span starts even for a call aborted before it begins: one span per call, always.
    const call = this.#init.startCall(parentContext);
    const telemetry = call.telemetry;
    this.#telemetry = telemetry;
    if (signal?.aborted) throw signal.reason;
    if (signal) {
      const onAbort = () => this.#fail(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#removeAbortListener = () => signal.removeEventListener("abort", onAbort);
    }
    const tracedBody = this.#init.tracedBody;
    const span = tracedBody === undefined ? undefined : trace.getSpan(call.context);
    // The request stops through `#release`: on a consumer's `return()`, and on the caller's abort
    // (through `#fail`), in flight or between retries.
    const options: SendRequestOptions = {
      ...send,
      stop: this.#stop,
      ...(tracedBody !== undefined && span?.isRecording()
        ? { body: tracedBody(span.spanContext()) }
        : {}),
      onRetry: telemetry
        ? (attempt, delayMs, error) => telemetry.onRetry(attempt, delayMs, error)
        : undefined,
    };
    // The HTTP work runs in the span's context so that an HTTP instrumentation nests under it.
    const response = await context.with(call.context, () => sendRequest(options));
    this.#body = response;
    if (this.#phase !== READING) {
      // Aborted while the headers were on their way.
      response.abort();
      return;
    }
    const contentType = String(response.headers["content-type"] ?? "");
    if (contentType === "" || contentType.includes("text/event-stream")) return;
    if (contentType.includes("json")) {
      await this.#readJsonBody(response, `POST ${send.url}`);
    } else {
      throw await readUnexpectedBody(response, `POST ${send.url}`, contentType);
    }
  }

  /**
   * A JSON body: the answer to `complete()`, or a server that ignored `stream: true`, or an
   * error object sent with a 2xx status.
   */
  async #readJsonBody(response: HttpExchange, description: string): Promise<void> {
    const { json, text } = await readJsonBody(response, description, MAX_JSON_BODY_BYTES);
    if (this.#pushChunk(json, text) === undefined) return;
    if (hasAnswerError(this.#accumulator)) {
      throw toAnswerAPIError(this.#accumulator, response.statusCode, description);
    }
    this.#complete();
  }

  /**
   * Folds one chunk into the accumulator: whether it carried output, or undefined when its JSON
   * has a shape no chunk has (`tool_calls` that is not a list, say), the server's fault, and
   * the stream failed with a ParseError.
   */
  #pushChunk(chunk: WireChunk, data: string): boolean | undefined {
    try {
      return this.#accumulator.push(chunk, this.#events);
    } catch (cause) {
      this.#fail(this.#parseError("The stream sent a chunk of an unexpected shape", data, cause));
      return undefined;
    }
  }

  #onEvent(message: EventSourceMessage): void {
    if (this.#phase !== READING) return; // after [DONE] or a failure the rest is ignored
    const data = message.data;
    if (data === "[DONE]") {
      this.#complete();
      return;
    }
    if (data === "") return;
    const chunk = readChunkData(data);
    if (chunk instanceof BadChunkData) {
      this.#fail(this.#parseError(chunk.message, data, chunk.cause));
      return;
    }
    const hadOutput = this.#pushChunk(chunk, data);
    if (hadOutput === undefined) return;
    this.#telemetry?.onChunk(hadOutput, this.#accumulator.model, this.#readAt);
    if (this.#accumulator.error !== undefined) this.#fail(toStreamError(this.#accumulator));
  }

  #onEndOfBody(): void {
    this.#reader.end();
    if (this.#phase !== READING) return;
    if (this.#accumulator.finishReason !== null) {
      // No [DONE], but the model had finished: a server that omits the terminator.
      this.#complete();
      return;
    }
    this.#fail(
      new ConnectionError(
        `POST ${this.#init.send.url}: the stream ended without [DONE] and without a finish reason`,
        { partial: this.#accumulator.snapshot() },
      ),
    );
  }

  #complete(): void {
    const accumulator = this.#accumulator;
    if (accumulator.finishReason === "error") {
      this.#fail(toStreamError(accumulator));
      return;
    }
    this.#phase = COMPLETED;
    this.#removeAbortListener();
    const response = accumulator.finish(this.#events);
    this.#reader.release();
    this.#telemetry?.end({ kind: "completed", response });
    this.#resolve(response);
    // What may follow [DONE] is let through, so that the socket goes back to the pool (a JSON
    // body has been read whole).
    this.#body?.discardRest(MAX_TRAILER_BYTES);
  }

  /** Settles the stream as failed (or aborted): socket closed, span ended, response rejected. */
  #fail(error: unknown): void {
    if (this.#phase !== READING && this.#phase !== IDLE) return;
    this.#phase = FAILED;
    this.#release();
    const signal = this.#init.signal;
    const aborted = signal?.aborted === true && error === signal.reason;
    if (aborted) {
      // An abort takes effect at once: the events not yet handed over are dropped.
      this.#events.length = 0;
      this.#read = 0;
    }
    this.#pendingError = error;
    this.#hasPendingError = true;
    const telemetry = this.#telemetry;
    if (telemetry !== undefined) {
      // Our own errors were just built with the partial response: not a second snapshot (it
      // joins the text and parses every tool call's arguments).
      const partial = (!aborted && partialOf(error)) || this.#accumulator.snapshot();
      telemetry.end(
        aborted
          ? { kind: "cancelled", by: "abort", reason: error, partial }
          : { kind: "failed", error, partial },
      );
    }
    this.#reject(error);
  }

  #release(): void {
    this.#reader.release();
    // Thrown by the request to this stream alone, which has settled and ignores it.
    this.#stop.stop(new DOMException("The stream was closed", "AbortError"));
    this.#removeAbortListener();
    this.#body?.abort();
  }

  /** What the caller gets for a failure: the abort's reason, our own error, or the socket's, typed. */
  #toStreamFailure(error: unknown): unknown {
    const { url, timeoutMs } = this.#init.send;
    const signal = this.#init.signal;
    if (signal?.aborted) return signal.reason;
    // sendRequest's errors come typed; so do ours from parsing the body.
    if (error instanceof OpenRouterError || this.#body === undefined) return error;
    return toBodyFailure(this.#accumulator, error, `POST ${url}`, timeoutMs);
  }

  /** The server sent something no chunk looks like: the error keeps what came before it. */
  #parseError(message: string, data: string, cause?: unknown): ParseError {
    return new ParseError(message, { data, cause, partial: this.#accumulator.snapshot() });
  }
}
