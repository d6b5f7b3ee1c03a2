/**
 * A preload that gives a benchmark process the heap of a service: some 130 MB of small live
 * objects (caches, sessions, parsed configuration), held until the process exits.
 * `node --import ./bench/service-heap.js bench/consume.js ...`. V8 sizes its old generation's
 * limit from what is live after a mark-compact; a process of the benchmark alone holds 15 to
 * 20 MB, which keeps that limit close enough to the young generation's size that V8 can fall into
 * a mark-compact every few runs and stay there.
 */
const entries = [];
for (let i = 0; i < 800_000; i++) entries.push({ id: i, name: `item-${i}`, tags: [i & 7, i & 15] });
globalThis.__serviceHeap = entries;
