import type { ServerErrorInit } from "../errors.js";
import { isJsonObject } from "../is-json-object.js";

/** What an error object on the wire says, whatever its shape, plus the status it names. */
export interface WireErrorFields extends ServerErrorInit {
  /** A numeric `code`, else `http_status`. */
  status: number | undefined;
}

/**
 * Reads an `error` object in any of the shapes OpenRouter sends (OPENROUTER_WIRE.md R2.1): a
 * numeric, string or `null` code; the OpenAI-style `type`; the availability shape
 * (`error_type`, `http_status`, `availability`); a `message` that is itself a JSON document
 * (the inner message is the useful one); `metadata.raw` as an object or a JSON string. Runs
 * on the error path only, so it may parse freely.
 */
export function readWireError(
  value: unknown,
  headerRetryAfter: number | undefined,
  now = Date.now(),
): WireErrorFields {
  const error: Record<string, unknown> =
    typeof value === "string" ? { message: value } : (asRecord(value) ?? {});
  const metadata = asRecord(error.metadata);
  const availability = asRecord(error.availability);
  const inner = readInnerError(error.message);
  const message = inner?.message ?? stringOf(error.message) ?? "no message";
  const code =
    codeOf(error.code) ??
    codeOf(inner?.code) ??
    stringOf(availability?.code) ??
    stringOf(error.error_type);
  const httpStatus = typeof error.http_status === "number" ? error.http_status : undefined;
  const raw = readRaw(metadata?.raw);
  const retryable =
    booleanOf(availability?.retryable) ?? booleanOf(raw?.retryable) ?? booleanOf(error.retryable);
  return {
    message,
    code,
    status: typeof code === "number" ? code : httpStatus,
    type: stringOf(error.type),
    errorType: stringOf(error.error_type) ?? stringOf(metadata?.error_type),
    providerName: stringOf(metadata?.provider_name) ?? stringOf(error.provider),
    metadata,
    availability,
    retryable,
    retryAfter:
      headerRetryAfter ??
      secondsOf(availability?.retry_after) ??
      readRateLimitReset(metadata?.headers, now),
  };
}

/** `{"error": {"message": ...}}` or `{"message": ...}` inside a message string. */
function readInnerError(
  message: unknown,
): { message: string | undefined; code: unknown } | undefined {
  if (typeof message !== "string" || !message.trimStart().startsWith("{")) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const outer = asRecord(json);
  const inner = asRecord(outer?.error) ?? outer;
  if (inner === undefined) return undefined;
  return { message: stringOf(inner.message), code: inner.code };
}

function readRaw(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== "string") return asRecord(raw);
  try {
    return asRecord(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

/** `X-RateLimit-Reset` is an epoch in milliseconds: the seconds left until then. */
function readRateLimitReset(headers: unknown, now: number): number | undefined {
  const record = asRecord(headers);
  if (record === undefined) return undefined;
  for (const [name, value] of Object.entries(record)) {
    if (name.toLowerCase() !== "x-ratelimit-reset") continue;
    const epochMs = typeof value === "string" ? Number(value) : value;
    if (typeof epochMs !== "number" || !Number.isFinite(epochMs)) return undefined;
    return Math.max(0, (epochMs - now) / 1000);
  }
  return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isJsonObject(value) ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function booleanOf(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

function codeOf(value: unknown): number | string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return stringOf(value);
}

function secondsOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
