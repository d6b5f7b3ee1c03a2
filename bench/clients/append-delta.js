/**
 * What every streaming client of the benchmark reports, gathered the floor's way: one delta at a
 * time, its text, reasoning and argument fragments appended (`+=`), and the time of the first
 * delta that carried any of them. A module of its own, importing nothing, so that a peer's
 * process loads only what that peer loads.
 */

/** A result to append to. */
export const emptyResult = () => ({ text: "", reasoning: "", args: "", firstChunkMs: undefined });

/** Appends one chunk's `choices[0].delta` to `result`. */
export function appendDelta(result, delta, startedAt) {
  if (delta.content) result.text += delta.content;
  if (delta.reasoning) result.reasoning += delta.reasoning;
  if (delta.tool_calls)
    for (const call of delta.tool_calls) result.args += call.function?.arguments ?? "";
  if (result.firstChunkMs === undefined && (delta.content || delta.reasoning || delta.tool_calls))
    result.firstChunkMs = performance.now() - startedAt;
}
