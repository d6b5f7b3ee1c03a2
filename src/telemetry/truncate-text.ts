/**
 * Default for `maxContentChars`: the longest text kept in one message part. Collectors and
 * backends cap attribute sizes too; cutting inside the parts keeps the JSON valid.
 */
export const DEFAULT_MAX_CONTENT_CHARS = 16_384;

/** Appended where text was cut, so that nobody mistakes a cut for the model's own ending. */
export const TRUNCATION_MARKER = "…[truncated]";

/** Cuts `text` to `max` characters plus the marker, never between the halves of a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATION_MARKER;
}

/**
 * A copy of a JSON value with `cut` applied to every string in it; objects and arrays deeper
 * than `maxDepth` become the marker rather than be walked.
 */
export function mapStrings(
  value: unknown,
  cut: (text: string) => string,
  maxDepth: number,
  depth = 0,
): unknown {
  if (typeof value === "string") return cut(value);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= maxDepth) return TRUNCATION_MARKER;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, cut, maxDepth, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    result[key] = mapStrings(item, cut, maxDepth, depth + 1);
  return result;
}
