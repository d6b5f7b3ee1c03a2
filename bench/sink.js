/**
 * The OTLP sink: what a collector on 127.0.0.1 costs the client, without a collector. Reads
 * every OTLP/HTTP request to the end and acknowledges it with an empty export response in the
 * request's own encoding (`{}` for JSON, zero bytes for protobuf: a message with no fields), in
 * a process of its own so that its CPU is not counted. Prints its port.
 */
import { createServer } from "node:http";

const server = createServer((request, response) => {
  request.resume();
  request.once("end", () => {
    const json = request.headers["content-type"]?.startsWith("application/json") ?? false;
    response.writeHead(200, {
      "content-type": json ? "application/json" : "application/x-protobuf",
    });
    response.end(json ? "{}" : "");
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
