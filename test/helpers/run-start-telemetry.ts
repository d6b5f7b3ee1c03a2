import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HIDE_PEERS = fileURLToPath(new URL("./hide-peers.cjs", import.meta.url));

/** What the child printed: `started` or `threw: <message>`, and the diagnostics on stderr. */
export interface StartTelemetryRun {
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `startTelemetry()` in a child process where `hiddenPeers` are not installed,
 * ends one span and shuts down.
 */
export function runStartTelemetry(
  hiddenPeers: string[],
  env: Record<string, string>,
): Promise<StartTelemetryRun> {
  const script = `
    import { trace } from "@opentelemetry/api";
    import { startTelemetry } from "./dist/telemetry/bootstrap/index.js";
    try {
      const telemetry = startTelemetry();
      trace.getTracer("probe").startSpan("probe").end();
      await telemetry.shutdown();
      console.log("started");
    } catch (error) {
      console.log("threw: " + error.message);
    }`;
  const child = spawn(
    process.execPath,
    ["--require", HIDE_PEERS, "--input-type=module", "--eval", script],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HIDDEN_PEERS: hiddenPeers.join(","), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", () => resolve({ stdout, stderr }));
  });
}
