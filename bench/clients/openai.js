/** The `openai` SDK (v6, the last on Node 20), streaming, no telemetry, its default retries (a keep-alive socket the server closed is retried, as in production). */
import OpenAI from "openai";
import { consume } from "./consume-openai.js";

export async function createClient({ baseURL }) {
  const client = new OpenAI({ apiKey: "bench", baseURL });
  return { run: (model) => consume(client, model) };
}
