import { readFileSync } from "node:fs";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** A recorded stream from test/fixtures, byte for byte. */
export function readFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), "utf8");
}
