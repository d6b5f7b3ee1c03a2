/**
 * One measurement, in a process of its own:
 * `node bench/consume.js <client> <scenario> <streams> <port> <sinkPort> <iterations> [warmUps]
 * [gapMs]`. Warm (iterations > 0): runs the scenario `warmUps` times (10 unless given) to warm up
 * (JIT tiers, connection pool, heap sizes), then measures `iterations` runs of `streams`
 * concurrent streams, `gapMs` apart (1 unless given; 0: back to back); the warm-up's telemetry
 * is exported before the clock starts. First (iterations = 0): measures the first run of the
 * fresh process, nothing before it. Either way the telemetry is flushed (exported to the sink)
 * before the clock stops. Reports CPU time of this process (user + system) in the window, less
 * what checking the answers took, wall time, peak RSS, the median time to first chunk, and the
 * process's CPU so far.
 * Every answer is checked, and every span counted: a client that gets one wrong fails the
 * benchmark. Prints one JSON line.
 */
import { loadClient } from "./clients/index.js";
import { expectedResult } from "./scenarios.js";

/**
 * Spans of one `agent-3x2` run: the run, four model calls and six tool calls (ours and the AI
 * SDK's); the `openai` instrumentation traces the four model calls only.
 */
const SPANS_PER_AGENT_RUN = {
  "agent/tracing": 11,
  "agent/production": 11,
  "ai-sdk/tracing": 11,
  "openai-runTools+otel": 4,
};

const [name, scenario, streamsArg, port, sinkPort, iterationsArg, warmUpsArg = "10", gapArg = "1"] =
  process.argv.slice(2);
const streams = Number(streamsArg);
const iterations = Number(iterationsArg);
/** The idle time between measured runs (none before the first); CPU is not spent in it. */
const gapMs = Number(gapArg);
const createClient = await loadClient(name);
const client = await createClient({
  baseURL: `http://127.0.0.1:${port}/api/v1`,
  sinkURL: `http://127.0.0.1:${sinkPort}`,
});
const expected = expectedResult(scenario);

const runAll = () => Promise.all(Array.from({ length: streams }, () => client.run(scenario)));
const check = (results) => {
  for (const result of results) {
    for (const field of ["text", "reasoning", "args"]) {
      if (result[field] !== expected[field]) {
        throw new Error(
          `${name} got a wrong ${field} for ${scenario}: ${result[field]?.length} characters, expected ${expected[field].length}`,
        );
      }
    }
  }
};

const warmUps = iterations > 0 ? Number(warmUpsArg) : 0;
for (let i = 0; i < warmUps; i++) check(await runAll());
// The warm-up's telemetry is exported now, not in the measured window; a first-stream
// measurement has nothing before it, not even a flush.
if (warmUps > 0) await client.flush?.();
const cpuBefore = process.cpuUsage();
const startedAt = performance.now();
const firstChunks = [];
/** The CPU spent checking answers, taken out of the window's: comparing flattens the floor's. */
let checkCpuMicros = 0;
for (let i = 0; i < Math.max(1, iterations); i++) {
  // Runs apart, as a service's calls mostly are. V8 runs its young-generation collection as a
  // task, and only once the process waits: back to back, the first wait is the next run's wait
  // for its first chunk, whose time then carries the collection the run before it owed.
  if (i > 0 && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  // Checked and let go run by run, as a service lets an answer go: kept to the end, the
  // answers weighed on the old generation unevenly. The floor's text is a string of 200 to
  // 20,000 appended pieces, ours one joined string; 4,000 of the floor's kept for forty runs of
  // 100 streams made its mark-compacts mark millions of pieces, so that its CPU and peak RSS
  // rose with however many of them fell in the window.
  const results = await runAll();
  const checkStart = process.cpuUsage();
  check(results);
  for (const result of results) firstChunks.push(result.firstChunkMs);
  const checking = process.cpuUsage(checkStart);
  checkCpuMicros += checking.user + checking.system;
}
await client.flush?.();
const wallMs = performance.now() - startedAt;
const cpu = process.cpuUsage(cpuBefore);
const processCpu = process.cpuUsage();
const calls = (Math.max(1, iterations) + warmUps) * streams;
const spans = await client.spanCount?.();
const expectedSpans = calls * (SPANS_PER_AGENT_RUN[name] ?? 1);
if (spans !== undefined && spans !== expectedSpans)
  throw new Error(`${name} exported ${spans} spans for ${calls} runs, expected ${expectedSpans}`);
firstChunks.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    client: name,
    scenario,
    streams,
    iterations,
    cpuMs: (cpu.user + cpu.system - checkCpuMicros) / 1000,
    processCpuMs: (processCpu.user + processCpu.system) / 1000,
    wallMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    firstChunkMs: firstChunks[Math.floor(firstChunks.length / 2)],
  })}\n`,
);
process.exit(0);
