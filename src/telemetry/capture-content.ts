/** The variable the GenAI conventions define for content capture. */
export const CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

/**
 * Whether prompts and completions go into spans: the client option wins; otherwise the
 * variable, where `false`, `NO_CONTENT` (and `EVENT_ONLY`, since we record no events) turn it
 * off; otherwise on, as the project's card asks.
 */
export function resolveCaptureContent(
  option: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (option !== undefined) return option;
  const value = env[CAPTURE_CONTENT_ENV]?.trim().toLowerCase();
  return !(value === "false" || value === "no_content" || value === "event_only" || value === "0");
}
