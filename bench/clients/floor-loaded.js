/**
 * The floor in a process that has also loaded this SDK and never calls it. Not a configuration
 * of ours: a reference, measured only when asked for (`--clients=floor,floor-loaded,none`), that
 * tells what the SDK's code and state in the heap change in how V8 collects the floor's garbage.
 */
import "../../dist/index.js";

export { createClient } from "./floor.js";
