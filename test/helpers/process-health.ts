import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type DiagLogger, DiagLogLevel, diag } from "@opentelemetry/api";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/**
 * A full collection, then two turns of the event loop (so that closed handles finish closing
 * and finalizers, undici's among them, run), then another collection.
 */
export async function gc(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    collectGarbage();
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** diag messages, to see the exporter's failures reported rather than thrown. */
export function captureDiag(): string[] {
  const messages: string[] = [];
  const record = (message: string, ...args: unknown[]) => {
    messages.push(
      [message, ...args.map((arg) => (arg instanceof Error ? arg.message : String(arg)))].join(" "),
    );
  };
  const logger: DiagLogger = {
    error: record,
    warn: record,
    info: record,
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return messages;
}

/** Handles that would betray a leak: sockets, servers, timers (one-shot immediates are not). */
export function countHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) {
    if (/TCP|Timeout|Pipe/.test(type)) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** The heap's growth since `heapBefore` (a `heapUsed`), in MB, after a full collection. */
export async function heapGrowthMb(heapBefore: number): Promise<number> {
  await gc();
  return (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
}

/** The handle types there are more of now than in `before` (from `countHandles()`): a leak. */
export function handlesAbove(before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(countHandles()).filter(([type, count]) => count > (before[type] ?? 0)),
  );
}
