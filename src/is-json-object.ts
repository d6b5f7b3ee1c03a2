/** A JSON object (not an array, not null): what tool arguments and error bodies must be. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
