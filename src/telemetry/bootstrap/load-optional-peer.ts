import { createRequire } from "node:module";

// The OpenTelemetry packages ship CommonJS as their `main` (no `exports` map), so `require`
// loads the very module an `import` would, and `startTelemetry` can stay synchronous.
const requirePeer = createRequire(import.meta.url);

/**
 * An optional peer dependency, or `undefined` when it is not installed. Anything else (a broken
 * install of the package, a dependency of it missing) throws as it is.
 */
export function loadOptionalPeer<T>(packageName: string): T | undefined {
  try {
    return requirePeer(packageName) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "MODULE_NOT_FOUND" && String(error).includes(`'${packageName}'`)) return undefined;
    throw error;
  }
}

/** The `code` of the error `startTelemetry()` throws when a peer it needs is not installed. */
export const MISSING_PEER = "OPENROUTER_OTEL_MISSING_PEER";

/** That error: its message names the package to install. */
export function missingPeerError(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: MISSING_PEER });
}

/**
 * How to install a peer, on the lines that still run on Node 20: the experimental packages
 * (the Logs API and SDK, the exporters) on 0.223, the stable ones on 2.12.
 */
export function installCommand(packageName: string): string {
  const experimental = /-logs$|\/exporter-/.test(packageName);
  return `npm install ${packageName}@${experimental ? "0.223" : "2.12"}`;
}
