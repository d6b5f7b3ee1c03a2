/**
 * A preload that shows how a process collects: `node --import ./bench/heap-timeline.js
 * bench/consume.js ...` samples, every 2 ms, the bytes in use in old space, in the young
 * generation and outside the heap (`external`: the network reads' buffers among them), and notes
 * each garbage collection (kind: 1 scavenge, 4 mark-compact, 8 incremental marking). At exit it
 * prints to stderr the samples of the 400 ms that ended 500 ms before the last one: the window
 * of a warm run, away from the end's flush.
 */
import { PerformanceObserver, performance } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";

const rows = [];
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const sampler = setInterval(() => {
  const used = {};
  for (const space of getHeapSpaceStatistics()) used[space.space_name] = space.space_used_size;
  rows.push({
    at: performance.now(),
    line: `old ${mb(used.old_space)} MB, young ${mb(used.new_space)} MB, external ${mb(process.memoryUsage().external)} MB`,
  });
}, 2);
sampler.unref();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    rows.push({
      at: entry.startTime,
      line: `gc kind ${entry.detail?.kind}, ${entry.duration.toFixed(1)} ms`,
    });
}).observe({ entryTypes: ["gc"] });

process.on("exit", () => {
  rows.sort((a, b) => a.at - b.at);
  const last = rows.at(-1)?.at ?? 0;
  for (const row of rows)
    if (row.at >= last - 900 && row.at <= last - 500)
      process.stderr.write(`${row.at.toFixed(0)} ms: ${row.line}\n`);
});
