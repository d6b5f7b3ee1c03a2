/**
 * What delays a warm stream's first chunk: `node bench/first-chunk-gc.js <client> <scenario>
 * <port> <sink port> [runs] [gap ms]` (against `bench/server.js` and `bench/sink.js`) warms a
 * client up with ten runs, then prints, for each of `runs` (20) single-stream runs, its time to
 * first chunk and the garbage collections that started inside that window (kind: 1 scavenge,
 * 2 minor mark-sweep, 4 mark-compact, 8 incremental; duration and start, ms from the run's
 * start). The runs are `gap ms` apart (0: back to back, the default), `bench/consume.js` 1 ms.
 */
import { PerformanceObserver, performance } from "node:perf_hooks";
import { loadClient } from "./clients/index.js";

const [name, scenario, port, sinkPort, runsArg = "20", gapArg = "0"] = process.argv.slice(2);
const createClient = await loadClient(name);
const client = await createClient({
  baseURL: `http://127.0.0.1:${port}/api/v1`,
  sinkURL: `http://127.0.0.1:${sinkPort}`,
});
const collections = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    collections.push({ start: entry.startTime, ms: entry.duration, kind: entry.detail?.kind });
});
observer.observe({ entryTypes: ["gc"] });
for (let i = 0; i < 10; i++) await client.run(scenario);
await client.flush?.();
const runs = [];
for (let i = 0; i < Number(runsArg); i++) {
  if (i > 0 && Number(gapArg) > 0)
    await new Promise((resolve) => setTimeout(resolve, Number(gapArg)));
  const startedAt = performance.now();
  const { firstChunkMs } = await client.run(scenario);
  runs.push({ startedAt, firstChunkMs });
}
await client.flush?.();
// The observer reports asynchronously: one turn of the event loop for the last entries.
await new Promise((resolve) => setImmediate(resolve));
observer.disconnect();
for (const { startedAt, firstChunkMs } of runs) {
  const inWindow = collections
    .filter((gc) => gc.start >= startedAt && gc.start < startedAt + firstChunkMs)
    .map((gc) => `kind ${gc.kind} ${gc.ms.toFixed(2)} ms at +${(gc.start - startedAt).toFixed(2)}`);
  console.log(
    `first chunk ${firstChunkMs.toFixed(2)} ms${inWindow.length ? `: ${inWindow.join(", ")}` : ""}`,
  );
}
const sorted = runs.map((run) => run.firstChunkMs).sort((a, b) => a - b);
console.log(`median ${sorted[sorted.length >> 1].toFixed(2)} ms`);
process.exit(0);
