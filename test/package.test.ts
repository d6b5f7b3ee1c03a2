import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/index.js";

describe("the package", () => {
  it("reports the version of package.json as its instrumentation version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});

describe("the library entry point", () => {
  it("loads no OpenTelemetry SDK or exporter: @opentelemetry/api only", () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (url: URL) => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const source = readFileSync(url, "utf8");
      for (const [, specifier] of source.matchAll(
        /(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g,
      )) {
        if (specifier?.startsWith(".")) visit(new URL(specifier, url));
        else if (specifier !== undefined && !specifier.startsWith("node:")) external.add(specifier);
      }
    };
    visit(new URL("../dist/index.js", import.meta.url));
    expect([...external].sort()).toEqual(["@opentelemetry/api", "eventsource-parser", "undici"]);
    expect(seen.size).toBeGreaterThan(10);
  });

  it("depends on undici and eventsource-parser, with OpenTelemetry's API as a peer", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(["eventsource-parser", "undici"]);
    expect(pkg.peerDependencies["@opentelemetry/api"]).toBe("^1.9.0");
    for (const [name, meta] of Object.entries(pkg.peerDependenciesMeta)) {
      expect(name).not.toBe("@opentelemetry/api");
      expect(meta.optional).toBe(true);
    }
  });
});

describe("the published declarations", () => {
  it("show no internal constructor: the classes the client makes cannot be made, nor their inits seen", () => {
    for (const [file, name] of [
      ["stream/chat-stream.d.ts", "ChatStream"],
      ["agent/agent.d.ts", "Agent"],
      ["agent/agent-run.d.ts", "AgentRun"],
      ["generations.d.ts", "Generations"],
    ] as const) {
      const declarations = readFileSync(new URL(`../dist/${file}`, import.meta.url), "utf8");
      const body = declarations.slice(declarations.indexOf(`export declare class ${name} `));
      const members = body.slice(0, body.indexOf("\n}"));
      expect(members, name).toContain("private constructor();");
      expect(members, name).not.toMatch(/\bcreate\(|constructor\(\w/);
    }
  });

  it("keep what a subclass or a second copy relies on: the error brand, statusForRetry", () => {
    const errors = readFileSync(new URL("../dist/errors.d.ts", import.meta.url), "utf8");
    expect(errors).toContain("readonly [ERROR_MARK] = true;");
    expect(errors).toContain("protected abstract get statusForRetry(): number | undefined;");
  });
});
