import { readFileSync } from "node:fs";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { Ajv, type ValidateFunction } from "ajv";

/** A tracer and meter provider of their own for one test, read back in memory. */
export function createTestTelemetry() {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: (): ReadableSpan[] => spanExporter.getFinishedSpans(),
    async metrics(): Promise<MetricData[]> {
      await reader.forceFlush();
      return (
        metricExporter
          .getMetrics()
          .at(-1)
          ?.scopeMetrics.flatMap((scope) => scope.metrics) ?? []
      );
    },
  };
}

const SCHEMAS = new URL("../fixtures/semconv-schemas/", import.meta.url);
const ajv = new Ajv({ strict: false, allErrors: true, formats: { binary: true } });
const validators = new Map<string, ValidateFunction>();

/** Validates an attribute's JSON against the official semconv schema of that attribute. */
export function expectValidAgainstSchema(attribute: string, json: unknown): void {
  const file = {
    "gen_ai.input.messages": "gen-ai-input-messages.json",
    "gen_ai.output.messages": "gen-ai-output-messages.json",
    "gen_ai.system_instructions": "gen-ai-system-instructions.json",
    "gen_ai.tool.definitions": "gen-ai-tool-definitions.json",
  }[attribute];
  if (file === undefined) throw new Error(`no schema for ${attribute}`);
  let validate = validators.get(file);
  if (validate === undefined) {
    validate = ajv.compile(JSON.parse(readFileSync(new URL(file, SCHEMAS), "utf8")));
    validators.set(file, validate);
  }
  if (!validate(json))
    throw new Error(
      `${attribute} does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json)}`,
    );
}

/** The JSON of a content attribute, checked against its schema. */
export function contentAttribute(span: ReadableSpan, attribute: string): unknown {
  const value = span.attributes[attribute];
  if (typeof value !== "string") throw new Error(`${attribute} is not set`);
  const json = JSON.parse(value) as unknown;
  expectValidAgainstSchema(attribute, json);
  return json;
}
