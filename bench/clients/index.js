/**
 * Every client the benchmark measures, by the name `consume.js` and `warm-up-curve.js` take:
 * `loadClient(name)` resolves to `createClient({ baseURL, sinkURL })`.
 */
const ours = (module, telemetry) => () =>
  import(module).then((m) => (options) => m.createClient({ ...options, telemetry }));
const CLIENTS = {
  floor: () => import("./floor.js").then((m) => m.createClient),
  "floor+events": () => import("./floor-events.js").then((m) => m.createClient),
  "floor-dispatch": () => import("./floor-dispatch.js").then((m) => m.createClient),
  "floor-loaded": () => import("./floor-loaded.js").then((m) => m.createClient),
  none: ours("./openrouter-otel.js", "none"),
  tracing: ours("./openrouter-otel.js", "tracing"),
  production: ours("./openrouter-otel.js", "production"),
  nodesdk: ours("./openrouter-otel.js", "nodesdk"),
  "nodesdk+chunk-histogram": ours("./openrouter-otel.js", "nodesdk+chunk-histogram"),
  openai: () => import("./openai.js").then((m) => m.createClient),
  "openai+otel": () => import("./openai-otel.cjs").then((m) => m.createClient),
  "agent/tracing": ours("./agent-openrouter-otel.js", "tracing"),
  "agent/production": ours("./agent-openrouter-otel.js", "production"),
  "ai-sdk/tracing": ours("./agent-ai-sdk.js", "tracing"),
  "openai-runTools+otel": () => import("./openai-otel.cjs").then((m) => m.createClient),
};

export async function loadClient(name) {
  const load = CLIENTS[name];
  if (load === undefined) throw new Error(`unknown client ${name}`);
  return load();
}
