/**
 * The benchmark's server, in a process of its own so that its CPU is not counted: the SDK's
 * own mock server, answering with the pre-rendered body of the scenario named by the
 * request's `model`, in 64 KiB writes. Prints its port on stdout.
 */
import { startMockServer } from "../dist/testing/index.js";
import { renderScenario } from "./scenarios.js";

const WRITE_BYTES = 64 * 1024;
const bodies = new Map();

const server = await startMockServer({
  replies(request) {
    const { model } = request.body;
    let body = bodies.get(model);
    if (body === undefined) {
      body = Buffer.from(renderScenario(model));
      bodies.set(model, body);
    }
    server.requests.length = 0; // thousands of requests: keep none of them
    return { sse: body, writes: WRITE_BYTES };
  },
});
process.stdout.write(`${server.port}\n`);
