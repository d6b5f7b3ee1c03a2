/** The package version, reported as the tracer's and meter's version (a test keeps it in step with package.json). */
export const VERSION = "0.1.0";
/** Instrumentation scope name of the tracer and meter. */
export const INSTRUMENTATION_NAME = "openrouter-otel";
