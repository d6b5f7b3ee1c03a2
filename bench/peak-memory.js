/**
 * Where a process's peak memory is: `node --import ./bench/peak-memory.js bench/consume.js ...`
 * samples `process.memoryUsage()` every 2 ms and, at exit, prints to stderr the peak of each
 * figure (MB): resident set, V8 heap reserved and used, memory outside the heap (Buffers and
 * other ArrayBuffers among it). Its own cost is a timer and a few allocations every 2 ms: for
 * finding where memory goes, not for the benchmark's figures.
 */
const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const timer = setInterval(() => {
  const usage = process.memoryUsage();
  for (const key of Object.keys(peaks)) peaks[key] = Math.max(peaks[key], usage[key]);
}, 2);
timer.unref();
process.on("exit", () => {
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
  process.stderr.write(
    `peak MB: ${Object.entries(peaks)
      .map(([key, bytes]) => `${key} ${mb(bytes)}`)
      .join(", ")}; max RSS ${mb(process.resourceUsage().maxRSS * 1024)}\n`,
  );
});
