import { readFileSync } from "node:fs";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
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
import { afterAll, beforeAll } from "vitest";

/** Async context for the tests of this file, as an application with an SDK has it. */
export function useAsyncContext(): void {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });
}

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

/** The conventions' version whose schemas a value is checked against. */
export type SemconvVersion = "v1.41.1" | "latest";

const SCHEMA_FILES: Record<string, string> = {
  "gen_ai.input.messages": "gen-ai-input-messages.json",
  "gen_ai.output.messages": "gen-ai-output-messages.json",
  "gen_ai.system_instructions": "gen-ai-system-instructions.json",
  "gen_ai.tool.definitions": "gen-ai-tool-definitions.json",
  "gen_ai.tool.call.arguments": "gen-ai-tool-call-arguments.json",
  "gen_ai.tool.call.result": "gen-ai-tool-call-result.json",
};

/**
 * Validates an attribute's JSON against the official semconv schema of that attribute, in the
 * given version (v1.41.1 has no schema for tool call arguments and results: the latest one,
 * "an object", is used for both).
 */
export function expectValidAgainstSchema(
  attribute: string,
  json: unknown,
  version: SemconvVersion = "v1.41.1",
): void {
  const file = SCHEMA_FILES[attribute];
  if (file === undefined) throw new Error(`no schema for ${attribute}`);
  const path =
    version === "latest" || attribute.startsWith("gen_ai.tool.call.") ? `latest/${file}` : file;
  let validate = validators.get(path);
  if (validate === undefined) {
    const schema = JSON.parse(readFileSync(new URL(path, SCHEMAS), "utf8")) as SchemaWithDefs;
    if (path === "latest/gen-ai-output-messages.json") applyMergedFinishReasonRule(schema);
    validate = ajv.compile(schema);
    validators.set(path, validate);
  }
  if (!validate(json))
    throw new Error(
      `${attribute} does not match its ${version} schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json)}`,
    );
}

interface SchemaWithDefs {
  $defs: Record<string, { required?: string[] }>;
}

/**
 * The latest copy predates genai#363 (merged after it, see its README): `finish_reason` of an
 * output message is optional and deprecated there, so it is no longer required here.
 */
function applyMergedFinishReasonRule(schema: SchemaWithDefs): void {
  const message = schema.$defs.OutputMessage;
  if (message?.required === undefined) throw new Error("latest output schema changed shape");
  message.required = message.required.filter((field) => field !== "finish_reason");
}

/** The JSON of a content attribute, checked against its schema. */
export function contentAttribute(
  span: ReadableSpan,
  attribute: string,
  version: SemconvVersion = "v1.41.1",
): unknown {
  const value = span.attributes[attribute];
  if (typeof value !== "string") throw new Error(`${attribute} is not set`);
  const json = JSON.parse(value) as unknown;
  expectValidAgainstSchema(attribute, json, version);
  return json;
}

/** Adds every usage breakdown the wire has to the usage chunk of built events (the one before `[DONE]`). */
export function withUsageDetails(events: unknown[]): unknown[] {
  const last = events.at(-2) as { usage: Record<string, unknown> };
  last.usage = {
    ...last.usage,
    prompt_tokens_details: { cached_tokens: 3, cache_write_tokens: 5, audio_tokens: 2 },
    completion_tokens_details: { reasoning_tokens: 7, image_tokens: 0, audio_tokens: 1 },
  };
  return events;
}
