/** When and how long to wait before sending a failed request again. */

/** First backoff step; each retry doubles it, up to {@link MAX_BACKOFF_MS}. */
export const INITIAL_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 8_000;
/** A `Retry-After` longer than this is not waited for: the error goes to the caller. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Parses `Retry-After` (delta-seconds or an HTTP date, RFC 9110 §10.2.3) into seconds, or
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined || header.trim() === "") return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/**
 * The delay before retry number `attempt` (0-based): the server's `Retry-After` when it gave
 * one, otherwise exponential backoff with jitter (between half and all of the step), so that
 * many clients failing together do not come back together. Undefined: do not retry.
 */
export function computeRetryDelay(
  attempt: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterSeconds !== undefined) {
    const ms = retryAfterSeconds * 1000;
    return ms > MAX_RETRY_AFTER_MS ? undefined : ms;
  }
  const step = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** attempt);
  return step * (0.5 + random() * 0.5);
}
