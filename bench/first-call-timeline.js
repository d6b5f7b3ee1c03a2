/**
 * Where the first call of a fresh process spends its wait for the first chunk:
 * `node bench/first-call-timeline.js <client> <port> <sink port> [pause ms]` (against
 * `bench/server.js` and `bench/sink.js`) sets the client up as `consume.js` does, makes one
 * text-2000 call, and prints when undici created the request, connected, sent the headers and
 * got the response's, the garbage collections (kind: 1 scavenge, 2 minor mark-sweep, 4
 * mark-compact, 8 incremental; duration) and the first chunk, each in ms from the call's start.
 * With `[pause ms]` the call starts that long after the client is set up, as a service's first
 * request comes some time after its start-up: whatever start-up left to the garbage collector is
 * then done before the call.
 */
import { subscribe } from "node:diagnostics_channel";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { loadClient } from "./clients/index.js";

const [name, port, sinkPort, pauseArg = "0"] = process.argv.slice(2);
const pauseMs = Number(pauseArg);
if (!(pauseMs >= 0)) throw new Error(`pause ms must be a number of 0 or more, got ${pauseArg}`);
const marks = [];
const PHASES = {
  "undici:request:create": "request",
  "undici:client:connected": "connected",
  "undici:client:sendHeaders": "headers sent",
  "undici:request:headers": "response headers",
};
for (const [channel, label] of Object.entries(PHASES))
  subscribe(channel, () => marks.push({ at: performance.now(), label }));
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    marks.push({
      at: entry.startTime,
      label: `gc kind ${entry.detail?.kind} ${entry.duration.toFixed(1)} ms`,
    });
});
observer.observe({ entryTypes: ["gc"] });
const createClient = await loadClient(name);
const client = await createClient({
  baseURL: `http://127.0.0.1:${port}/api/v1`,
  sinkURL: `http://127.0.0.1:${sinkPort}`,
});
if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
const startedAt = performance.now();
const { firstChunkMs } = await client.run("text-2000");
marks.push({ at: startedAt + firstChunkMs, label: "first chunk" });
// The observer reports asynchronously: one turn of the event loop for the last entries.
await new Promise((resolve) => setImmediate(resolve));
observer.disconnect();
await client.flush?.();
const line = marks
  .filter((mark) => mark.at >= startedAt)
  .sort((a, b) => a.at - b.at)
  .map((mark) => `+${(mark.at - startedAt).toFixed(1)} ${mark.label}`)
  .join(", ");
console.log(`${name}: ${line}`);
process.exit(0);
