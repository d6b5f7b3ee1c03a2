import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;

/** What the snippets take for granted, declared (where they do not declare it) so that they type-check. */
const AMBIENT: Record<string, string> = {
  tracer: 'declare const tracer: import("@opentelemetry/api").Tracer;',
  client: 'declare const client: import("openrouter-otel").OpenRouter;',
  request: 'declare const request: import("openrouter-otel").ChatRequest;',
};

function ambientFor(snippet: string): string {
  return Object.entries(AMBIENT)
    .filter(
      ([name]) =>
        new RegExp(`\\b${name}\\b`).test(snippet) &&
        !new RegExp(`\\bconst ${name}\\b`).test(snippet),
    )
    .map(([, declaration]) => declaration)
    .join("\n");
}

describe("the README's TypeScript examples", () => {
  it("type-check as written, against the package as it is published (its exports map)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    expect(snippets.length).toBeGreaterThanOrEqual(3);
    // Inside the repository, so that "openrouter-otel" resolves to this package by its own name.
    const dir = mkdtempSync(join(ROOT, "test", ".readme-"));
    try {
      snippets.forEach((snippet, i) => {
        writeFileSync(
          join(dir, `example-${i}.ts`),
          `${ambientFor(snippet)}\n${snippet}\nexport {};\n`,
        );
      });
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          extends: "../../tsconfig.json",
          compilerOptions: { noEmit: true, rootDir: ".", noUnusedLocals: false },
          include: ["*.ts"],
        }),
      );
      execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      const output = (error as { stdout?: string }).stdout;
      throw new Error(`README examples do not type-check:\n${output ?? String(error)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
