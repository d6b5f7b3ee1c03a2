import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/** The attributes worth a glance in a terminal, in this order. */
const KEY_ATTRIBUTES = [
  "gen_ai.request.model",
  "gen_ai.response.model",
  "openrouter.provider",
  "gen_ai.tool.name",
  "gen_ai.response.finish_reasons",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "openrouter.usage.cost",
  "openrouter.agent.steps",
  "openrouter.agent.stop_reason",
  "openrouter.agent.cost",
  "gen_ai.response.time_to_first_chunk",
  "error.type",
];

/**
 * Renders finished spans as an indented tree, parents first, children in start order, each
 * with its duration and key attributes: the trace as Jaeger would show it, for a machine
 * with no collector.
 */
export function formatSpanTree(spans: readonly ReadableSpan[]): string {
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  for (const span of spans) {
    const parentId = span.parentSpanContext?.spanId;
    const key = parentId !== undefined && ids.has(parentId) ? parentId : undefined;
    const siblings = byParent.get(key) ?? [];
    siblings.push(span);
    byParent.set(key, siblings);
  }
  const lines: string[] = [];
  const visit = (span: ReadableSpan, prefix: string, isLast: boolean, isRoot: boolean) => {
    const branch = isRoot ? "" : isLast ? "└─ " : "├─ ";
    lines.push(
      `${prefix}${branch}${span.name}  (${formatDuration(span.duration)})${formatAttributes(span)}`,
    );
    const children = (byParent.get(span.spanContext().spanId) ?? []).sort(byStartTime);
    const childPrefix = isRoot ? prefix : prefix + (isLast ? "   " : "│  ");
    children.forEach((child, i) => {
      visit(child, childPrefix, i === children.length - 1, false);
    });
  };
  for (const root of (byParent.get(undefined) ?? []).sort(byStartTime)) visit(root, "", true, true);
  return lines.join("\n");
}

function formatAttributes(span: ReadableSpan): string {
  const parts: string[] = [];
  for (const key of KEY_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value === undefined) continue;
    const shown = Array.isArray(value)
      ? value.join(",")
      : typeof value === "number" && !Number.isInteger(value)
        ? String(Number(value.toPrecision(3)))
        : String(value);
    parts.push(`${key}=${shown}`);
  }
  return parts.length > 0 ? `  ${parts.join(" ")}` : "";
}

function formatDuration([seconds, nanos]: [number, number]): string {
  const ms = seconds * 1000 + nanos / 1e6;
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function byStartTime(a: ReadableSpan, b: ReadableSpan): number {
  return a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1];
}
