/**
 * The benchmark's server, in a process of its own so that its CPU is not counted: the SDK's
 * own mock server, answering with the pre-rendered body of the scenario named by the
 * request's `model` (and its step, for an agent scenario), in 64 KiB writes. Prints its port on stdout.
 */
import { startMockServer, stepOf } from "../dist/testing/index.js";
import { renderAgentStep, renderScenario } from "./scenarios.js";

const WRITE_BYTES = 64 * 1024;
const bodies = new Map();

const server = await startMockServer({
  replies(request) {
    const { model } = request.body;
    // An agent scenario answers by step, counted from the conversation the request carries.
    const step = model.startsWith("agent-") ? stepOf(request) : 0;
    const key = `${model}/${step}`;
    let body = bodies.get(key);
    if (body === undefined) {
      body = Buffer.from(step > 0 ? renderAgentStep(model, step) : renderScenario(model));
      bodies.set(key, body);
    }
    server.requests.length = 0; // thousands of requests: keep none of them
    return { sse: body, writes: WRITE_BYTES };
  },
});
process.stdout.write(`${server.port}\n`);
