#!/usr/bin/env node
import { EXIT_USAGE, runChatCommand } from "./chat-command.js";
import { runDemoCommand } from "./demo-command.js";
import { parseCliArgs, USAGE, UsageError } from "./parse-cli-args.js";

async function main(argv: readonly string[]): Promise<number> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`openrouter-otel: ${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  switch (command.command) {
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case "chat":
      return runChatCommand(command);
    case "demo":
      return runDemoCommand(command);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `openrouter-otel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
