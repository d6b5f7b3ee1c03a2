import { type Context, createContextKey, type Span } from "@opentelemetry/api";

/**
 * Set by the agent loop in the context it starts a step's chat call in: the chat span then
 * carries `openrouter.agent.step` from its start (samplers see it) and is handed back, so the
 * tool spans of the step can link to it. A chat call made inside a tool runs in the tool span's
 * context, which does not carry the key: it is a call of its own, not a step.
 */
const AGENT_STEP_KEY = createContextKey("openrouter-otel agent step");

export interface AgentStep {
  step: number;
  /** Receives the step's chat span as soon as it starts. */
  onSpan(span: Span): void;
}

export function withAgentStep(context: Context, step: AgentStep): Context {
  return context.setValue(AGENT_STEP_KEY, step);
}

export function getAgentStep(context: Context): AgentStep | undefined {
  return context.getValue(AGENT_STEP_KEY) as AgentStep | undefined;
}
