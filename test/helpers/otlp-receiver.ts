import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** An attribute of an OTLP/JSON span, decoded. */
type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
};

export interface ReceivedSpan {
  /** The attributes of the span's resource (`service.name`, ...). */
  resource: Record<string, unknown>;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  attributes: Record<string, unknown>;
  events: Array<{ name: string }>;
  status: { code?: number };
}

export interface OtlpReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  /** Every request body, raw, to grep for secrets. */
  bodies: string[];
  /** Resolves once `count` spans have arrived. */
  waitForSpans(count: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP receiver on 127.0.0.1 that decodes the JSON the OTLP HTTP exporters send, the
 * way a collector would receive it. `status` makes it answer with an error (503, say),
 * `delayMs` makes it slow.
 */
export async function startOtlpReceiver(
  options: { status?: number; delayMs?: number } = {},
): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const waiters: Array<{ count: number; resolve: (spans: ReceivedSpan[]) => void }> = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (options.delayMs !== undefined)
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (options.status !== undefined) {
      response.writeHead(options.status).end();
      return;
    }
    bodies.push(body);
    if (request.url === "/v1/traces") spans.push(...decodeSpans(body));
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
    for (const waiter of waiters.splice(0)) {
      if (spans.length >= waiter.count) waiter.resolve(spans);
      else waiters.push(waiter);
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    waitForSpans(count) {
      if (spans.length >= count) return Promise.resolve(spans);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

function decodeSpans(body: string): ReceivedSpan[] {
  const json = JSON.parse(body) as {
    resourceSpans?: Array<{
      resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
      scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
    }>;
  };
  const result: ReceivedSpan[] = [];
  for (const resourceSpans of json.resourceSpans ?? []) {
    const resource = decodeAttributes(resourceSpans.resource?.attributes);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        result.push({
          resource,
          traceId: span.traceId as string,
          spanId: span.spanId as string,
          parentSpanId: (span.parentSpanId as string | undefined) || undefined,
          name: span.name as string,
          attributes: decodeAttributes(span.attributes as Array<{ key: string; value: OtlpValue }>),
          events: (span.events as Array<{ name: string }>) ?? [],
          status: (span.status as { code?: number }) ?? {},
        });
      }
    }
  }
  return result;
}

function decodeAttributes(
  list: Array<{ key: string; value: OtlpValue }> | undefined,
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) attributes[key] = decodeValue(value);
  return attributes;
}

function decodeValue(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(decodeValue);
  return undefined;
}
