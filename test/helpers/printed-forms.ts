import { inspect } from "node:util";

/** Every way a value ends up as text in a log: String, stack, util.inspect, JSON. */
export function printedForms(value: unknown): string[] {
  return [
    String(value),
    (value as Error | undefined)?.stack ?? "",
    inspect(value, { depth: 10, showHidden: true }),
    JSON.stringify(value) ?? "",
  ];
}
