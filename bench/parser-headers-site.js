/**
 * A preload for the 100-stream question (docs/performance.md, "What tips a process: one list in
 * undici's parser"): `node --import ./bench/parser-headers-site.js bench/consume.js ...` makes
 * every client of the process send through an undici whose HTTP/1 parser starts each response's
 * header list with `Array.of()` instead of the literal `[]`, and nothing else changed. With
 * `PARSER_LIST=literal` it leaves the literal in place: the control, the same copy unpatched.
 *
 * Why that one line: the list is made when a response completes and lives until the next
 * response's headers are in, so while scavenges come faster than responses (early in a
 * process, when the young generation is small) nearly all of them survive one. V8 then
 * pretenures the literal's allocation site: every later list is allocated in old space, and
 * the views of the network read that it holds (so each read's whole buffer) then outlive every
 * scavenge until a mark-compact. `Array.of()` has no allocation site, so it is never pretenured.
 *
 * It copies this checkout's undici to a temporary directory, patches the copy, and makes an
 * `Agent` of the copy the global dispatcher before anything else can: every client here sends
 * through the global dispatcher (the floor through `request()`, this SDK through `dispatch`),
 * which is otherwise Node's own undici.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const LITERAL = "    this.headers = []\n    this.headersSize = 0\n";

const source = dirname(createRequire(import.meta.url).resolve("undici/package.json"));
const directory = mkdtempSync(join(tmpdir(), "undici-parser-"));
process.on("exit", () => rmSync(directory, { recursive: true, force: true }));
const copy = join(directory, "undici");
cpSync(source, copy, { recursive: true });
const parserFile = join(copy, "lib/dispatcher/client-h1.js");
const parser = readFileSync(parserFile, "utf8");
const method = parser.indexOf("onMessageComplete ()");
const at = method === -1 ? -1 : parser.indexOf(LITERAL, method);
if (at === -1) throw new Error(`${parserFile}: onMessageComplete's header list not found`);
if (process.env.PARSER_LIST !== "literal") {
  writeFileSync(
    parserFile,
    `${parser.slice(0, at)}    this.headers = Array.of()\n${parser.slice(at + LITERAL.indexOf("\n") + 1)}`,
  );
}
const { Agent, setGlobalDispatcher } = await import(pathToFileURL(join(copy, "index.js")).href);
setGlobalDispatcher(new Agent());
