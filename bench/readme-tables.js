/**
 * The README's performance tables, from the results of `npm run bench -- --node=N` for N = 20,
 * 24 and 26 (bench/results/node-N.json): `node bench/readme-tables.js`.
 */
import { existsSync, readFileSync } from "node:fs";
import { median, summarize } from "./summary.js";

const here = new URL(".", import.meta.url).pathname;
const runs = ["20", "24", "26"]
  .filter((major) => existsSync(`${here}results/node-${major}.json`))
  .map((major) => ({ major, ...JSON.parse(readFileSync(`${here}results/node-${major}.json`)) }));
const CONFIGS = ["floor", "none", "tracing", "production", "openai", "openai+otel"];
const AGENTS = ["agent/tracing", "agent/production", "ai-sdk/tracing", "openai-runTools+otel"];
const f = (value, digits = 2) => value.toFixed(digits);
const suites = (prefix) => Object.keys(runs[0]).filter((key) => key.startsWith(prefix));
/** The clients a suite measured: the `openai` peers skip 100 concurrent streams. */
const measured = (results, clients) =>
  clients.filter((client) => results.some((result) => result.client === client));
const rowOf = (run, key, clients, base, client) =>
  summarize(run[key], measured(run[key], clients), base).find((row) => row.client === client);
const ratio = (row) => (row === undefined ? "—" : `${f(row.cpuRatio)}x`);
const out = [];
const table = (head, rows) =>
  out.push(
    `| ${head.join(" | ")} |`,
    `| ${head.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
  );

out.push(
  `Runs: ${runs.map((run) => `${run.node} (${run.rounds} rounds of ${run.iterations})`).join(", ")}`,
  "",
);
out.push("CPU of the consumer vs the floor, warm (paired medians)", "");
table(
  ["scenario", "configuration", ...runs.map((run) => `Node ${run.major}`)],
  suites("warm ").flatMap((key) =>
    CONFIGS.filter(
      (c) => c !== "floor" && runs.some((run) => measured(run[key], [c]).length !== 0),
    ).map((client) => [
      key.slice(5),
      client,
      ...runs.map((run) => ratio(rowOf(run, key, CONFIGS, "floor", client))),
    ]),
  ),
);
for (const run of runs) {
  out.push(`Node ${run.major}, warm: CPU, peak RSS and time to first chunk added (medians)`, "");
  table(
    [
      "scenario",
      "configuration",
      "CPU ms",
      "CPU vs floor",
      "peak RSS MB",
      "RSS vs floor",
      "first chunk +ms",
    ],
    suites("warm ").flatMap((key) =>
      summarize(run[key], measured(run[key], CONFIGS), "floor").map((row) => [
        key.slice(5),
        row.client,
        f(row.cpuMs, 1),
        `${f(row.cpuRatio)}x`,
        f(row.peakRssMb, 1),
        `${f(row.rssRatio)}x`,
        f(row.firstChunkAddedMs),
      ]),
    ),
  );
}
for (const key of suites("first ")) {
  out.push(
    `The first stream of a fresh process (${key.slice(6)}): CPU vs floor, first chunk +ms, peak RSS vs floor`,
    "",
  );
  table(
    ["configuration", "", ...runs.map((run) => `Node ${run.major}`)],
    CONFIGS.filter((c) => c !== "floor").flatMap((client) => {
      const rows = runs.map((run) => rowOf(run, key, CONFIGS, "floor", client));
      return [
        [client, "CPU vs floor", ...rows.map((row) => `${f(row.cpuRatio)}x`)],
        [client, "first chunk +ms", ...rows.map((row) => f(row.firstChunkAddedMs, 1))],
        [client, "peak RSS vs floor", ...rows.map((row) => `${f(row.rssRatio)}x`)],
      ];
    }),
  );
}
for (const key of suites("agent ")) {
  out.push(`Agent loop (${key.slice(6)}): CPU ms per run, and vs ours traced (paired medians)`, "");
  table(
    ["client", "", ...runs.map((run) => `Node ${run.major}`)],
    AGENTS.flatMap((client) => {
      const rows = runs.map((run) => ({
        row: rowOf(run, key, AGENTS, "agent/tracing", client),
        perRun: median(
          run[key].filter((r) => r.client === client).map((r) => r.cpuMs / r.iterations),
        ),
      }));
      return [
        [client, "CPU ms per run", ...rows.map(({ perRun }) => f(perRun))],
        [client, "vs ours traced", ...rows.map(({ row }) => `${f(row.cpuRatio)}x`)],
      ];
    }),
  );
}
process.stdout.write(out.join("\n"));
