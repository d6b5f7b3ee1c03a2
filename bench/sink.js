/**
 * The OTLP sink: what a collector on 127.0.0.1 costs the client, without a collector. Reads
 * every OTLP/HTTP request to the end and acknowledges it (`200 {}`, an empty export
 * response), in a process of its own so that its CPU is not counted. Prints its port.
 */
import { createServer } from "node:http";

const server = createServer((request, response) => {
  request.resume();
  request.once("end", () => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end("{}");
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
