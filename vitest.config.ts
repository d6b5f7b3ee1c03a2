import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Real sockets on 127.0.0.1: generous, since CI has two cores.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // An unhandled rejection anywhere fails the run (vitest's default, stated here on purpose).
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
