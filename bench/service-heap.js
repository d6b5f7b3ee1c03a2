/**
 * A preload that gives a benchmark process the heap of a service: some 130 MB of small live
 * objects (caches, sessions, parsed configuration), held until the process exits, where a
 * process of the benchmark alone holds 15 to 20 MB.
 * `node --import ./bench/service-heap.js bench/consume.js ...`. It tells whether the way V8
 * settles into collecting 100 concurrent streams (with mark-compacts every few runs or without)
 * depends on how small the benchmark's heap is; measured, it does not settle it
 * (docs/performance.md, "Answers let go run by run").
 */
const entries = [];
for (let i = 0; i < 800_000; i++) entries.push({ id: i, name: `item-${i}`, tags: [i & 7, i & 15] });
globalThis.__serviceHeap = entries;
