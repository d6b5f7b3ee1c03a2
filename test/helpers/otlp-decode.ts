import { join } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/** The three OTLP signals, named as in their `/v1/<signal>` paths. */
export type OtlpSignal = "traces" | "metrics" | "logs";

/** An OTLP `AnyValue` as OTLP/JSON spells it (and as protobufjs's `toObject` gives it). */
type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  bytesValue?: string;
  arrayValue?: { values?: OtlpValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
};
type OtlpKeyValue = { key: string; value?: OtlpValue };
type OtlpResource = { resource?: { attributes?: OtlpKeyValue[] } };
type OtlpRecord = Record<string, unknown>;

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

export interface ReceivedMetric {
  resource: Record<string, unknown>;
  name: string;
  description: string;
  unit: string;
  /** A histogram's points and temporality (1 delta, 2 cumulative); none for other kinds. */
  histogram?: { temporality: number; points: ReceivedHistogramPoint[] };
}

export interface ReceivedHistogramPoint {
  attributes: Record<string, unknown>;
  count: number;
  sum: number;
  min: number | undefined;
  max: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
  startTimeUnixNano: string;
  timeUnixNano: string;
}

export interface ReceivedLogRecord {
  resource: Record<string, unknown>;
  eventName: string | undefined;
  /** The body, decoded to plain values (maps become objects). */
  body: unknown;
  attributes: Record<string, unknown>;
  traceId: string | undefined;
  spanId: string | undefined;
}

export interface DecodedExport {
  spans: ReceivedSpan[];
  metrics: ReceivedMetric[];
  logs: ReceivedLogRecord[];
}

const PROTO_ROOT = fileURLToPath(new URL("../fixtures/otlp-proto/", import.meta.url));
const REQUEST_TYPES: Record<OtlpSignal, string> = {
  traces: "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
  metrics: "opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest",
  logs: "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest",
};
let protoRoot: protobuf.Root | undefined;

/**
 * Decodes one OTLP/HTTP export request, `application/x-protobuf` or `application/json`, into
 * what it carries. Protobuf goes through the vendored `.proto` files (test/fixtures/otlp-proto),
 * so a wrong field number or type in the exporter would show here as it would in a collector.
 */
export function decodeExport(signal: OtlpSignal, contentType: string, body: Buffer): DecodedExport {
  const request = contentType.includes("protobuf")
    ? decodeProtobuf(signal, body)
    : (JSON.parse(body.toString("utf8")) as OtlpRecord);
  return {
    spans: signal === "traces" ? decodeSpans(request) : [],
    metrics: signal === "metrics" ? decodeMetrics(request) : [],
    logs: signal === "logs" ? decodeLogs(request) : [],
  };
}

function decodeProtobuf(signal: OtlpSignal, body: Buffer): OtlpRecord {
  protoRoot ??= loadProtoRoot();
  const type = protoRoot.lookupType(REQUEST_TYPES[signal]);
  const message = type.decode(body);
  // Ids arrive as bytes; OTLP/JSON spells them in hex, and so do the decoded spans.
  return type.toObject(message, { longs: String, enums: Number, bytes: String }) as OtlpRecord;
}

function loadProtoRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
  return root.loadSync(
    Object.values(REQUEST_TYPES).map((name) => {
      const [, , , signal] = name.split(".");
      return `opentelemetry/proto/collector/${signal}/v1/${signal}_service.proto`;
    }),
  );
}

function decodeSpans(request: OtlpRecord): ReceivedSpan[] {
  const result: ReceivedSpan[] = [];
  for (const { resource, records } of flatten(request, "resourceSpans", "scopeSpans", "spans")) {
    for (const span of records) {
      result.push({
        resource,
        traceId: toHexId(span.traceId) ?? "",
        spanId: toHexId(span.spanId) ?? "",
        parentSpanId: toHexId(span.parentSpanId),
        name: span.name as string,
        attributes: decodeAttributes(span.attributes as OtlpKeyValue[] | undefined),
        events: (span.events as Array<{ name: string }>) ?? [],
        status: (span.status as { code?: number }) ?? {},
      });
    }
  }
  return result;
}

function decodeMetrics(request: OtlpRecord): ReceivedMetric[] {
  return flatten(request, "resourceMetrics", "scopeMetrics", "metrics").flatMap(
    ({ resource, records }) =>
      records.map((metric) => {
        const histogram = metric.histogram as OtlpRecord | undefined;
        return {
          resource,
          name: metric.name as string,
          description: (metric.description as string | undefined) ?? "",
          unit: (metric.unit as string | undefined) ?? "",
          ...(histogram && {
            histogram: {
              temporality: Number(histogram.aggregationTemporality),
              points: ((histogram.dataPoints as OtlpRecord[] | undefined) ?? []).map(
                decodeHistogramPoint,
              ),
            },
          }),
        };
      }),
  );
}

function decodeHistogramPoint(point: OtlpRecord): ReceivedHistogramPoint {
  return {
    attributes: decodeAttributes(point.attributes as OtlpKeyValue[] | undefined),
    count: Number(point.count),
    sum: Number(point.sum),
    min: point.min === undefined ? undefined : Number(point.min),
    max: point.max === undefined ? undefined : Number(point.max),
    bucketCounts: ((point.bucketCounts as unknown[] | undefined) ?? []).map(Number),
    explicitBounds: ((point.explicitBounds as unknown[] | undefined) ?? []).map(Number),
    startTimeUnixNano: String(point.startTimeUnixNano),
    timeUnixNano: String(point.timeUnixNano),
  };
}

function decodeLogs(request: OtlpRecord): ReceivedLogRecord[] {
  return flatten(request, "resourceLogs", "scopeLogs", "logRecords").flatMap(
    ({ resource, records }) =>
      records.map((record) => ({
        resource,
        eventName: (record.eventName as string | undefined) || undefined,
        body: record.body === undefined ? undefined : decodeValue(record.body as OtlpValue),
        attributes: decodeAttributes(record.attributes as OtlpKeyValue[] | undefined),
        traceId: toHexId(record.traceId),
        spanId: toHexId(record.spanId),
      })),
  );
}

/** The records of every scope of every resource, each with its resource's attributes. */
function flatten(
  request: OtlpRecord,
  resourceKey: string,
  scopeKey: string,
  recordKey: string,
): Array<{ resource: Record<string, unknown>; records: OtlpRecord[] }> {
  const resources = (request[resourceKey] as Array<OtlpResource & OtlpRecord>) ?? [];
  return resources.flatMap((entry) => {
    const resource = decodeAttributes(entry.resource?.attributes);
    const scopes = (entry[scopeKey] as OtlpRecord[] | undefined) ?? [];
    return scopes.map((scope) => ({
      resource,
      records: (scope[recordKey] as OtlpRecord[] | undefined) ?? [],
    }));
  });
}

/** Hex as OTLP/JSON sends it; base64 (protobufjs's rendering of bytes) converted to hex. */
function toHexId(id: unknown): string | undefined {
  if (typeof id !== "string" || id === "") return undefined;
  if (/^[0-9a-f]+$/.test(id) && (id.length === 16 || id.length === 32)) return id;
  return Buffer.from(id, "base64").toString("hex");
}

function decodeAttributes(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) attributes[key] = decodeValue(value ?? {});
  return attributes;
}

function decodeValue(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(decodeValue);
  if (value.kvlistValue !== undefined) return decodeAttributes(value.kvlistValue.values);
  return undefined;
}
