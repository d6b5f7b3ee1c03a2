/**
 * The benchmark: `npm run bench` (`-- --quick` for a smoke check; `--rounds=N` and
 * `--iterations=N` to change the defaults, 5 and 20). Starts the server in its
 * own process, then measures each client on each scenario in a fresh process, interleaved
 * (floor, ours, peers, floor, ours, peers, ...) for several rounds, and prints the medians and
 * the ratios to the floor, paired by round. Results also go to bench/results/.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { createInterface } from "node:readline";

const quick = process.argv.includes("--quick");
const roundsArg = process.argv.find((arg) => arg.startsWith("--rounds="));
const ROUNDS = roundsArg ? Number(roundsArg.split("=")[1]) : quick ? 2 : 5;
/**
 * Runs of the scenario measured in each process (after three to warm up): a service's client
 * is warm, and a measurement should be hundreds of ms of CPU so that noise stays small.
 */
const iterationsArg = process.argv.find((arg) => arg.startsWith("--iterations="));
const ITERATIONS = iterationsArg ? Number(iterationsArg.split("=")[1]) : quick ? 2 : 20;
const SCENARIOS = quick
  ? [
      { name: "text-2000", streams: 1 },
      { name: "text-200", streams: 20 },
      { name: "tool-1600-64", streams: 1 },
      { name: "reason-500", streams: 1 },
    ]
  : [
      { name: "text-20000", streams: 1 },
      { name: "text-200", streams: 100 },
      { name: "tool-16000-64", streams: 1 },
      { name: "reason-5000", streams: 1 },
    ];
const CLIENTS = [
  "floor",
  "openrouter-otel",
  "openrouter-otel+tracing",
  "openrouter-otel+tracing+metrics",
  "openai",
  "openai+otel",
];

const here = new URL(".", import.meta.url).pathname;

function startServer() {
  const server = spawn(process.execPath, [`${here}server.js`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    createInterface({ input: server.stdout }).once("line", (line) =>
      resolve({ server, port: Number(line) }),
    );
  });
}

function measure(client, scenario, streams, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`${here}consume.js`, client, scenario, String(streams), String(port), String(ITERATIONS)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data) => {
      stdout += data;
    });
    child.stderr.on("data", (data) => {
      stderr += data;
    });
    child.once("close", (code) => {
      if (code === 0) resolve(JSON.parse(stdout));
      else reject(new Error(`${client} on ${scenario} failed (exit ${code}):\n${stderr}`));
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const { server, port } = await startServer();
const results = [];
try {
  for (const { name, streams } of SCENARIOS) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const client of CLIENTS) {
        const result = await measure(client, name, streams, port);
        results.push({ ...result, round });
        process.stderr.write(".");
      }
    }
  }
} finally {
  server.kill();
}
process.stderr.write("\n");

const rows = [];
for (const { name, streams } of SCENARIOS) {
  const floor = results.filter((r) => r.scenario === name && r.client === "floor");
  for (const client of CLIENTS) {
    const mine = results.filter((r) => r.scenario === name && r.client === client);
    const paired = mine.map((r) => [r, floor.find((f) => f.round === r.round)]);
    rows.push({
      scenario: streams > 1 ? `${name} x ${streams}` : name,
      client,
      cpuMs: median(mine.map((r) => r.cpuMs)),
      cpuRatio: median(paired.map(([r, f]) => r.cpuMs / f.cpuMs)),
      wallMs: median(mine.map((r) => r.wallMs)),
      peakRssMb: median(mine.map((r) => r.peakRssMb)),
      rssRatio: median(paired.map(([r, f]) => r.peakRssMb / f.peakRssMb)),
      firstChunkMs: median(mine.map((r) => r.firstChunkMs)),
      firstChunkOverFloorMs: median(paired.map(([r, f]) => r.firstChunkMs - f.firstChunkMs)),
    });
  }
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`;
const lines = [
  `${new Date().toISOString().slice(0, 10)} · ${machine} · ${ROUNDS} rounds of ${ITERATIONS} runs${quick ? " (quick)" : ""}`,
  "",
  "| scenario | client | CPU ms | CPU vs floor | wall ms | peak RSS MB | RSS vs floor | first chunk +ms vs floor |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.client} | ${r.cpuMs.toFixed(1)} | ${r.cpuRatio.toFixed(2)}x | ${r.wallMs.toFixed(1)} | ${r.peakRssMb.toFixed(1)} | ${r.rssRatio.toFixed(2)}x | ${r.firstChunkOverFloorMs.toFixed(2)} |`,
  ),
];
const table = lines.join("\n");
process.stdout.write(`${table}\n`);
mkdirSync(`${here}results`, { recursive: true });
writeFileSync(
  `${here}results/latest.json`,
  JSON.stringify({ machine, rounds: ROUNDS, quick, rows, results }, null, 2),
);
writeFileSync(`${here}results/latest.md`, `${table}\n`);
