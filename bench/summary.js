/** Medians of the benchmark's measurements, and ratios paired by round. */

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Medians per client, and ratios to `base` paired by round. */
export function summarize(results, clients, base) {
  return clients.map((client) => {
    const mine = results.filter((r) => r.client === client);
    const paired = mine.map((r) => [
      r,
      results.find((b) => b.client === base && b.round === r.round),
    ]);
    return {
      client,
      cpuMs: median(mine.map((r) => r.cpuMs)),
      cpuRatio: median(paired.map(([r, b]) => r.cpuMs / b.cpuMs)),
      processCpuMs: median(mine.map((r) => r.processCpuMs)),
      peakRssMb: median(mine.map((r) => r.peakRssMb)),
      rssRatio: median(paired.map(([r, b]) => r.peakRssMb / b.peakRssMb)),
      firstChunkMs: median(mine.map((r) => r.firstChunkMs)),
      firstChunkAddedMs: median(paired.map(([r, b]) => r.firstChunkMs - b.firstChunkMs)),
    };
  });
}
