/**
 * How a process warms up: `node bench/warm-up-curve.js <client> <scenario> <streams> <port>
 * <sinkPort> <blocks> <runs per block>` (against `bench/server.js` and `bench/sink.js`, as
 * `consume.js`) prints the CPU per run of each block of runs, from the process's first run on.
 * The benchmark's warm-up counts (`run.js`) come from these curves: the CPU per run falls while
 * V8 tiers the code up and sizes its heap, then stays level but for collections.
 */
import { loadClient } from "./clients/index.js";

const [name, scenario, streams, port, sinkPort, blocks, perBlock] = process.argv.slice(2);
const createClient = await loadClient(name);
const client = await createClient({
  baseURL: `http://127.0.0.1:${port}/api/v1`,
  sinkURL: `http://127.0.0.1:${sinkPort}`,
});
const perRun = [];
for (let block = 0; block < Number(blocks); block++) {
  const before = process.cpuUsage();
  for (let run = 0; run < Number(perBlock); run++) {
    await Promise.all(Array.from({ length: Number(streams) }, () => client.run(scenario)));
  }
  const cpu = process.cpuUsage(before);
  perRun.push(((cpu.user + cpu.system) / 1000 / Number(perBlock)).toFixed(2));
}
await client.flush?.();
process.stdout.write(`${name} ${scenario} x ${streams}, CPU ms per run: ${perRun.join(" ")}\n`);
process.exit(0);
