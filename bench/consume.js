/**
 * One measurement, in a process of its own: `node bench/consume.js <client> <scenario>
 * <streams> <port> <iterations>`. Runs the scenario three times to warm up (JIT, connection pool),
 * then measures `iterations` runs of `streams` concurrent streams: CPU time of this process
 * (user + system), wall time, peak RSS, time to first chunk. Every answer is checked: a client
 * that gets one wrong fails the benchmark. Prints one JSON line.
 */
import { expectedResult } from "./scenarios.js";

const CLIENTS = {
  floor: () => import("./clients/floor.js").then((m) => m.createClient),
  "openrouter-otel": () =>
    import("./clients/openrouter-otel.js").then((m) => (url) => m.createClient(url, "none")),
  "openrouter-otel+tracing": () =>
    import("./clients/openrouter-otel.js").then((m) => (url) => m.createClient(url, "tracing")),
  "openrouter-otel+tracing+metrics": () =>
    import("./clients/openrouter-otel.js").then(
      (m) => (url) => m.createClient(url, "tracing+metrics"),
    ),
  openai: () => import("./clients/openai.js").then((m) => m.createClient),
  "openai+otel": () => import("./clients/openai-otel.cjs").then((m) => m.createClient),
};

const [name, scenario, streamsArg, port, iterationsArg] = process.argv.slice(2);
const streams = Number(streamsArg);
const iterations = Number(iterationsArg ?? 1);
const createClient = await CLIENTS[name]?.();
if (createClient === undefined) throw new Error(`unknown client ${name}`);
const client = await createClient(`http://127.0.0.1:${port}/api/v1`);
const expected = expectedResult(scenario);

const runAll = () => Promise.all(Array.from({ length: streams }, () => client.run(scenario)));
const check = (results) => {
  for (const result of results) {
    for (const field of ["text", "reasoning", "args"]) {
      if (result[field] !== expected[field]) {
        throw new Error(
          `${name} got a wrong ${field} for ${scenario}: ${result[field].length} characters, expected ${expected[field].length}`,
        );
      }
    }
  }
};

for (let i = 0; i < 3; i++) check(await runAll());
const cpuBefore = process.cpuUsage();
const startedAt = performance.now();
const results = [];
for (let i = 0; i < iterations; i++) results.push(...(await runAll()));
const wallMs = performance.now() - startedAt;
const cpu = process.cpuUsage(cpuBefore);
check(results);
const calls = (iterations + 3) * streams;
const spans = await client.spanCount?.();
if (spans !== undefined && spans !== calls)
  throw new Error(`${name} recorded ${spans} spans for ${calls} calls`);
const firstChunks = results.map((result) => result.firstChunkMs).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    client: name,
    scenario,
    streams,
    iterations,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    firstChunkMs: firstChunks[Math.floor(firstChunks.length / 2)],
  })}\n`,
);
process.exit(0);
