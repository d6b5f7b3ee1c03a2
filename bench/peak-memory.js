/**
 * Where a process's peak memory is: `node --import ./bench/peak-memory.js bench/consume.js ...`
 * samples `process.memoryUsage()` and V8's heap spaces every 2 ms (and once more at exit) and, at
 * exit, prints to stderr the peak of each figure (MB): resident set, V8 heap reserved and used,
 * memory outside the heap (Buffers and other ArrayBuffers among it), and the memory V8 committed
 * to each heap space (`space_size`), for the spaces that reached 1 MB. Each figure peaks at its
 * own moment, so they do not add up; which space a configuration's extra is in says whether it
 * is what a run allocates (the young generation) or what it promotes (old space). Its own cost
 * is a timer and a few allocations every 2 ms: for finding where memory goes, not for the
 * benchmark's figures.
 */
import { getHeapSpaceStatistics } from "node:v8";

const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const spacePeaks = new Map();
const sample = () => {
  const usage = process.memoryUsage();
  for (const key of Object.keys(peaks)) peaks[key] = Math.max(peaks[key], usage[key]);
  for (const space of getHeapSpaceStatistics()) {
    const peak = spacePeaks.get(space.space_name) ?? 0;
    if (space.space_size > peak) spacePeaks.set(space.space_name, space.space_size);
  }
};
const timer = setInterval(sample, 2);
timer.unref();
process.on("exit", () => {
  sample();
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
  const spaces = [...spacePeaks].filter(([, bytes]) => bytes >= 1024 * 1024);
  process.stderr.write(
    `peak MB: ${Object.entries(peaks)
      .map(([key, bytes]) => `${key} ${mb(bytes)}`)
      .join(", ")}; max RSS ${mb(process.resourceUsage().maxRSS * 1024)}\n` +
      `heap spaces at their peaks, MB: ${spaces.map(([name, bytes]) => `${name} ${mb(bytes)}`).join(", ")}\n`,
  );
});
