import { InvalidRequestError } from "../errors.js";
import type { ChatRequest } from "../types.js";

const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
/** OpenAI's rule for function names, which OpenRouter's providers share. */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** The type prefix of OpenRouter's server tools. */
const SERVER_TOOL_PREFIX = "openrouter:";
const NUMERIC_FIELDS = [
  "temperature",
  "top_p",
  "top_k",
  "frequency_penalty",
  "presence_penalty",
  "repetition_penalty",
  "seed",
  "max_tokens",
  "max_completion_tokens",
  "n",
] as const;

/**
 * Checks what the server would otherwise reject after a round trip (or, worse, accept with a
 * surprising default), so that the caller gets an {@link InvalidRequestError} naming the field
 * before anything is sent.
 */
export function validateChatRequest(request: ChatRequest): void {
  if (typeof request !== "object" || request === null) {
    throw new InvalidRequestError("request", "must be an object");
  }
  if (typeof request.model !== "string" || request.model.trim() === "") {
    throw new InvalidRequestError(
      "model",
      'must be a non-empty string (e.g. "openai/gpt-4o-mini")',
    );
  }
  if (request.system !== undefined && typeof request.system !== "string") {
    throw new InvalidRequestError("system", "must be a string");
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    throw new InvalidRequestError("messages", "must be a non-empty array of messages");
  }
  request.messages.forEach((message, index) => {
    const field = `messages[${index}]`;
    if (typeof message !== "object" || message === null) {
      throw new InvalidRequestError(field, "must be an object with a role");
    }
    if (!ROLES.has(message.role)) {
      throw new InvalidRequestError(
        `${field}.role`,
        `must be one of system, developer, user, assistant, tool (got ${JSON.stringify(message.role)})`,
      );
    }
    if (message.role === "tool" && typeof message.tool_call_id !== "string") {
      throw new InvalidRequestError(
        `${field}.tool_call_id`,
        "must be the id of the tool call answered",
      );
    }
  });
  for (const name of NUMERIC_FIELDS) {
    const value = request[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      throw new InvalidRequestError(name, `must be a finite number (got ${String(value)})`);
    }
  }
  request.tools?.forEach((tool, index) => {
    const field = `tools[${index}]`;
    // A server tool (`openrouter:web_search`, ...) runs upstream and goes out as given.
    if (typeof tool?.type === "string" && tool.type.startsWith(SERVER_TOOL_PREFIX)) return;
    if (tool?.type !== "function" || typeof tool.function !== "object" || tool.function === null) {
      throw new InvalidRequestError(
        field,
        'must be {type: "function", function: {name, parameters}} or a server tool {type: "openrouter:..."}',
      );
    }
    if (typeof tool.function.name !== "string" || !TOOL_NAME.test(tool.function.name)) {
      throw new InvalidRequestError(
        `${field}.function.name`,
        "must be 1-64 letters, digits, _ or -",
      );
    }
    const parameters = tool.function.parameters;
    if (
      parameters !== undefined &&
      (typeof parameters !== "object" || parameters === null || Array.isArray(parameters))
    ) {
      throw new InvalidRequestError(`${field}.function.parameters`, "must be a JSON Schema object");
    }
  });
}
