// Preloaded (`node --require`) into a child process: the packages named in HIDDEN_PEERS cannot
// be found from the built package (dist/), as under a strict layout (pnpm) where they were not
// installed, while the OpenTelemetry SDK still finds its own copies.
const Module = require("node:module");
const { sep } = require("node:path");

const hidden = new Set((process.env.HIDDEN_PEERS ?? "").split(",").filter(Boolean));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (hidden.has(request) && parent?.filename?.includes(`${sep}dist${sep}`)) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
