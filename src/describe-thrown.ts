/**
 * What a thrown value says, as text, whatever was thrown: `String()` of a null-prototype object
 * throws, and so may a `message` getter; a description must never fail the run that reports it.
 */
export function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? String(thrown.message) : String(thrown);
  } catch {
    return `a value that cannot be shown as text (${typeof thrown})`;
  }
}
