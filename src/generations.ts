import type { Dispatcher } from "undici";
import { nonNegativeInteger, nonNegativeNumber } from "./check-option.js";
import { APIError, OpenRouterError, ParseError, TimeoutError } from "./errors.js";
import type { HttpExchange } from "./transport/http-exchange.js";
import { readJsonBody } from "./transport/read-json-body.js";
import { RequestStop } from "./transport/request-stop.js";
import { computeRetryDelay } from "./transport/retry-policy.js";
import { chatRetryDelay, sendRequest } from "./transport/send-request.js";

/** How often a 404 (the record is not indexed yet) is asked again. */
export const DEFAULT_GENERATION_RETRIES = 5;
/** The first wait after a 404; each next one doubles, up to {@link MAX_GENERATION_DELAY_MS}. */
export const DEFAULT_GENERATION_DELAY_MS = 500;
const MAX_GENERATION_DELAY_MS = 4_000;
/** A generation record is a few KiB. */
const MAX_GENERATION_BODY_BYTES = 1024 * 1024;

/** One provider OpenRouter tried for a generation. */
export interface GenerationProviderResponse {
  endpoint_id?: string | null;
  id?: string | null;
  is_byok?: boolean | null;
  /** Milliseconds. */
  latency?: number | null;
  model_permaslug?: string | null;
  provider_name?: string | null;
  status?: number | null;
  [field: string]: unknown;
}

/**
 * OpenRouter's record of one generation (`GET /api/v1/generation`), in its wire names so that
 * its docs apply as written. Times are in milliseconds, costs in credits (USD).
 */
export interface Generation {
  id: string;
  request_id?: string | null;
  upstream_id?: string | null;
  created_at?: string | null;
  model?: string | null;
  provider_name?: string | null;
  router?: string | null;
  api_type?: string | null;
  streamed?: boolean | null;
  cancelled?: boolean | null;
  session_id?: string | null;
  /** The request's `user`. */
  external_user?: string | null;
  app_id?: number | string | null;
  service_tier?: string | null;
  /** The original generation, when this one was a response-cache hit. */
  response_cache_source_id?: string | null;
  finish_reason?: string | null;
  native_finish_reason?: string | null;
  /** Total time, milliseconds. */
  latency?: number | null;
  /** Time spent generating, milliseconds. */
  generation_time?: number | null;
  moderation_latency?: number | null;
  tokens_prompt?: number | null;
  tokens_completion?: number | null;
  native_tokens_prompt?: number | null;
  native_tokens_completion?: number | null;
  native_tokens_completion_images?: number | null;
  native_tokens_reasoning?: number | null;
  native_tokens_cached?: number | null;
  num_media_prompt?: number | null;
  num_media_completion?: number | null;
  num_search_results?: number | null;
  total_cost?: number | null;
  usage?: number | null;
  upstream_inference_cost?: number | null;
  cache_discount?: number | null;
  is_byok?: boolean | null;
  /** One entry per provider tried, in order. */
  provider_responses?: GenerationProviderResponse[] | null;
  [field: string]: unknown;
}

export interface GetGenerationOptions {
  signal?: AbortSignal | undefined;
  /**
   * How many times a 404 is asked again: the record appears seconds after a stream ends
   * (about 8 s in one capture). Retryable statuses (429, 5xx) share this budget. A whole
   * number >= 0, else an `InvalidRequestError`.
   * @defaultValue `5`
   */
  retries?: number | undefined;
  /**
   * The first wait after a 404, in milliseconds; each next wait doubles, up to 4 s.
   * @defaultValue `500`
   */
  initialDelayMs?: number | undefined;
}

/** What `client.generations` needs of the client's settings. */
export interface GenerationsConnection {
  /** The base URL without a trailing slash. */
  baseURL: string;
  /** Every header of a JSON call, the API key's included; undefined without an API key. */
  jsonHeaders: Record<string, string> | undefined;
  timeoutMs: number;
  dispatcher: Dispatcher | undefined;
}

/** `client.generations`: OpenRouter's records of past generations. */
export class Generations {
  readonly #connection: GenerationsConnection;

  /** Made by the client: `client.generations`. */
  private constructor(connection: GenerationsConnection) {
    this.#connection = connection;
  }

  /** @internal The client's factory: the constructor's parameters are not part of the API. */
  static create(connection: GenerationsConnection): Generations {
    return new Generations(connection);
  }

  /**
   * The record of generation `id` (the response's `id`, `gen-…`): latency, generation time,
   * native token counts, total cost, the providers tried. Asks again while the server answers
   * 404, since the record is written some seconds after the stream ends; an {@link APIError}
   * when it still is not there, or for any other error status.
   */
  async get(id: string, options: GetGenerationOptions = {}): Promise<Generation> {
    if (typeof id !== "string" || id === "") {
      throw new OpenRouterError("generations.get needs the generation id (a non-empty string)");
    }
    const { baseURL, jsonHeaders, timeoutMs, dispatcher } = this.#connection;
    if (jsonHeaders === undefined) {
      throw new OpenRouterError(
        "No API key: pass `apiKey` to `new OpenRouter()` or set OPENROUTER_API_KEY",
      );
    }
    const url = `${baseURL}/generation?id=${encodeURIComponent(id)}`;
    const retries = nonNegativeInteger("retries", options.retries, DEFAULT_GENERATION_RETRIES);
    const initialDelayMs = nonNegativeNumber(
      "initialDelayMs",
      options.initialDelayMs,
      DEFAULT_GENERATION_DELAY_MS,
    );
    const description = `GET ${url}`;
    const stop = RequestStop.follow(options.signal);
    return sendRequest(
      {
        method: "GET",
        url,
        headers: jsonHeaders,
        timeoutMs,
        maxRetries: retries,
        stop,
        dispatcher,
        retryDelay: (error, attempt) => {
          // Not indexed yet: the record is written some seconds after the stream ends.
          if (error instanceof APIError && error.status === 404)
            return Math.min(MAX_GENERATION_DELAY_MS, initialDelayMs * 2 ** attempt);
          // Reading a record changes nothing: a chat call's transient failures, and a timeout.
          return error instanceof TimeoutError
            ? computeRetryDelay(attempt, undefined)
            : chatRetryDelay(error, attempt);
        },
      },
      (response) => readGeneration(response, description),
    ).finally(() => stop.unfollow());
  }
}

/** The 2xx body's generation record; a body over the limit or without one is a ParseError. */
async function readGeneration(response: HttpExchange, description: string): Promise<Generation> {
  const { json, text } = await readJsonBody(response, description, MAX_GENERATION_BODY_BYTES);
  const data = (json as { data?: unknown }).data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ParseError(`${description} answered without a generation ("data")`, { data: text });
  }
  return data as Generation;
}
