/**
 * JSON that fits an attribute length limit and still parses: texts inside are cut (and marked)
 * before anything is dropped, so the exporter's blind cut of long strings never applies.
 */
import { mapStrings, TRUNCATION_MARKER, truncateText } from "./truncate-text.js";

/** Nesting deeper than this is replaced by the marker. */
const MAX_DEPTH = 64;

/**
 * `value` as JSON in at most `limit` characters. First the longest prefix length of strings
 * that fits is searched for; when even the shortest strings do not fit, the fewest leading
 * elements (the oldest messages) or trailing keys are dropped. Undefined when not even an empty
 * array or object fits.
 */
export function fitJson(value: unknown, limit: number): string | undefined {
  const whole = JSON.stringify(value);
  if (whole === undefined || whole.length <= limit) return whole;
  const fits = (candidate: unknown) => (JSON.stringify(candidate)?.length ?? 0) <= limit;
  let kept = value;
  if (!fits(cutStrings(value, 0))) {
    const size = countElements(value);
    // The most elements kept such that, with the shortest strings, the JSON fits.
    let low = 0;
    let high = size;
    if (!fits(cutStrings(dropElements(value, size), 0))) return undefined;
    while (low < high) {
      const keep = Math.ceil((low + high) / 2);
      if (fits(cutStrings(dropElements(value, size - keep), 0))) low = keep;
      else high = keep - 1;
    }
    kept = dropElements(value, size - low);
  }
  // The longest string prefix that fits: the length only grows with the prefix.
  let low = 0;
  let high = longestString(kept, 0);
  while (low < high) {
    const cap = Math.ceil((low + high) / 2);
    if (fits(cutStrings(kept, cap))) low = cap;
    else high = cap - 1;
  }
  return JSON.stringify(cutStrings(kept, low));
}

/** Strings longer than `cap` plus the marker are cut to `cap` and marked. */
function cutStrings(value: unknown, cap: number): unknown {
  const limit = cap + TRUNCATION_MARKER.length;
  return mapStrings(
    value,
    (text) => (text.length <= limit ? text : truncateText(text, cap)),
    MAX_DEPTH,
  );
}

function longestString(value: unknown, depth: number): number {
  if (typeof value === "string") return value.length;
  if (typeof value !== "object" || value === null || depth >= MAX_DEPTH) return 0;
  let longest = 0;
  for (const item of Object.values(value))
    longest = Math.max(longest, longestString(item, depth + 1));
  return longest;
}

function countElements(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return typeof value === "object" && value !== null ? Object.keys(value).length : 0;
}

/** Drops the first `count` elements of an array (the oldest), or the last keys of an object. */
function dropElements(value: unknown, count: number): unknown {
  if (Array.isArray(value)) return value.slice(count);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  return Object.fromEntries(entries.slice(0, entries.length - count));
}
