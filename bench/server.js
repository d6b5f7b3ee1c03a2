/**
 * The benchmark's server, in a process of its own so that its CPU is not counted: serves the
 * pre-rendered body of the scenario named by the request's `model`, in 64 KiB writes.
 * Prints its port on stdout.
 */
import { createServer } from "node:http";
import { renderScenario } from "./scenarios.js";

const WRITE_BYTES = 64 * 1024;
const bodies = new Map();

const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const { model } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  let body = bodies.get(model);
  if (body === undefined) {
    body = Buffer.from(renderScenario(model));
    bodies.set(model, body);
  }
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (let offset = 0; offset < body.length; offset += WRITE_BYTES) {
    if (!response.write(body.subarray(offset, offset + WRITE_BYTES))) {
      await drainOrClose(response);
      if (response.destroyed) return;
    }
  }
  response.end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});

/** Waits until the socket takes more, or is gone; leaves no listener behind. */
function drainOrClose(response) {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}
