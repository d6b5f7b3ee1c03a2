import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";

/** A logger provider of its own for one test (the real SDK), read back in memory. */
export function createTestLogs() {
  const exporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  return {
    loggerProvider,
    records: (): ReadableLogRecord[] => exporter.getFinishedLogRecords(),
  };
}
