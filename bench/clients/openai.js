/** The `openai` SDK (v6, the last on Node 20), streaming, no telemetry. */
import OpenAI from "openai";
import { consume } from "./consume-openai.js";

export async function createClient({ baseURL }) {
  const client = new OpenAI({ apiKey: "bench", baseURL, maxRetries: 0 });
  return { run: (model) => consume(client, model) };
}
