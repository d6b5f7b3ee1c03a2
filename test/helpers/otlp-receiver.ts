import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import {
  decodeExport,
  type OtlpSignal,
  type ReceivedLogRecord,
  type ReceivedMetric,
  type ReceivedSpan,
} from "./otlp-decode.js";

export type { OtlpSignal, ReceivedLogRecord, ReceivedMetric, ReceivedSpan } from "./otlp-decode.js";

/** One export request as it arrived. */
export interface ReceivedRequest {
  /** The signal the path names (`/v1/traces`, or any path ending in `traces`). */
  signal: OtlpSignal | undefined;
  path: string;
  contentType: string;
  headers: IncomingHttpHeaders;
  /** Spans, metrics or log records in this request. */
  items: number;
}

export interface OtlpReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  metrics: ReceivedMetric[];
  logs: ReceivedLogRecord[];
  requests: ReceivedRequest[];
  /** Every request body, raw (protobuf strings stay readable), to grep for secrets. */
  bodies: string[];
  /** Resolves once `count` spans have arrived. */
  waitForSpans(count: number): Promise<ReceivedSpan[]>;
  waitForMetrics(count: number): Promise<ReceivedMetric[]>;
  waitForLogs(count: number): Promise<ReceivedLogRecord[]>;
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP receiver on 127.0.0.1 that decodes what the OTLP HTTP exporters send, JSON or
 * protobuf, on any path that ends in the signal's name, the way a collector would receive it.
 * `status` makes it answer with an error (503, say), `delayMs` makes it slow.
 */
export async function startOtlpReceiver(
  options: { status?: number; delayMs?: number } = {},
): Promise<OtlpReceiver> {
  const received = {
    spans: [] as ReceivedSpan[],
    metrics: [] as ReceivedMetric[],
    logs: [] as ReceivedLogRecord[],
  };
  const requests: ReceivedRequest[] = [];
  const bodies: string[] = [];
  const waiters: Array<() => boolean> = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (options.delayMs !== undefined)
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (options.status !== undefined) {
      response.writeHead(options.status).end();
      return;
    }
    const path = request.url ?? "/";
    const contentType = request.headers["content-type"] ?? "";
    const signal = /(traces|metrics|logs)\/?$/.exec(path)?.[1] as OtlpSignal | undefined;
    bodies.push(body.toString("utf8"));
    let items = 0;
    if (signal !== undefined) {
      const decoded = decodeExport(signal, contentType, body);
      items = decoded.spans.length + decoded.metrics.length + decoded.logs.length;
      received.spans.push(...decoded.spans);
      received.metrics.push(...decoded.metrics);
      received.logs.push(...decoded.logs);
    }
    requests.push({ signal, path, contentType, headers: request.headers, items });
    // An empty message is the protobuf encoding of an export response without partial success.
    const protobufBody = contentType.includes("protobuf");
    response
      .writeHead(200, { "content-type": protobufBody ? contentType : "application/json" })
      .end(protobufBody ? "" : "{}");
    for (const waiter of waiters.splice(0)) if (!waiter()) waiters.push(waiter);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const waitFor = <T>(list: T[], count: number): Promise<T[]> =>
    new Promise((resolve) => {
      const check = () => {
        if (list.length < count) return false;
        resolve(list);
        return true;
      };
      if (!check()) waiters.push(check);
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...received,
    requests,
    bodies,
    waitForSpans: (count) => waitFor(received.spans, count),
    waitForMetrics: (count) => waitFor(received.metrics, count),
    waitForLogs: (count) => waitFor(received.logs, count),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
