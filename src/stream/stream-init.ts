import type { Context, SpanContext } from "@opentelemetry/api";
import type { Dispatcher } from "undici";
import type { StartedCall } from "../telemetry/start-call.js";
import type { SendRequestOptions } from "../transport/send-request.js";

/** What a stream sends, less what the stream itself adds (its stop, the retry hooks). */
export type StreamSend = Omit<SendRequestOptions, "onRetry" | "retryDelay" | "stop">;

/** Everything a stream needs to run; built by the client for each call. */
export interface ChatStreamInit {
  send: StreamSend;
  /** The caller's signal: its abort ends the stream with the signal's reason. */
  signal: AbortSignal | undefined;
  /** The context active when `stream()` was called: parent of the span, context of the HTTP work. */
  parentContext: Context;
  /** Starts the call's span and clock when the request starts. */
  startCall: (parentContext: Context) => StartedCall;
  /**
   * The body to send instead of `send.body` when the call's span records (the client's
   * `propagateTrace`): given that span's context.
   */
  tracedBody?: ((span: SpanContext) => string) | undefined;
}

/**
 * The stream's own copy of its init, kept for the whole call. Class instances, where the
 * client's are object literals: V8 may pretenure an object literal that outlived scavenges early
 * in the process, and then each call's dead one sits in old space until a full collection,
 * keeping what it reaches (the request, its body, the functions that start the span) alive
 * through every scavenge (see `StreamIterator`). An instance has no allocation site; the
 * client's literals, let go here, die young. `Required`, so that a field added to the init
 * later, optional or not, cannot be left out of the copy.
 */
export class StreamInit implements Required<ChatStreamInit> {
  readonly send: StreamSend;
  readonly signal: AbortSignal | undefined;
  readonly parentContext: Context;
  readonly startCall: (parentContext: Context) => StartedCall;
  readonly tracedBody: ((span: SpanContext) => string) | undefined;

  constructor(init: ChatStreamInit) {
    this.send = new SendCopy(init.send);
    this.signal = init.signal;
    this.parentContext = init.parentContext;
    this.startCall = init.startCall;
    this.tracedBody = init.tracedBody;
  }
}

class SendCopy implements Required<StreamSend> {
  readonly method: StreamSend["method"];
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly dispatcher: Dispatcher | undefined;

  constructor(send: StreamSend) {
    this.method = send.method;
    this.url = send.url;
    this.headers = send.headers;
    this.body = send.body;
    this.timeoutMs = send.timeoutMs;
    this.maxRetries = send.maxRetries;
    this.dispatcher = send.dispatcher;
  }
}
