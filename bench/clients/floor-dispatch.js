/**
 * The floor on undici's `dispatch` instead of `request()`: the body's bytes go from the handler
 * straight to the parser, with no Node stream in between, as this SDK's transport reads them
 * since 4c64f59. Not a configuration of ours: a reference, measured only when asked for
 * (`--clients=floor,floor-dispatch,none`), that tells what the floor's `request()` costs.
 */
import { getGlobalDispatcher } from "undici";
import { FLOOR_HEADERS, floorBody, floorReader } from "./floor.js";

export async function createClient({ baseURL }) {
  const url = new URL(`${baseURL}/chat/completions`);
  return {
    run(model) {
      const reader = floorReader();
      return new Promise((resolve, reject) => {
        getGlobalDispatcher().dispatch(
          {
            origin: url.origin,
            path: url.pathname,
            method: "POST",
            headers: FLOOR_HEADERS,
            body: floorBody(model),
          },
          {
            onConnect() {},
            onHeaders: () => true,
            onData(chunk) {
              reader.feed(chunk);
              return true;
            },
            onComplete() {
              try {
                resolve(reader.result());
              } catch (error) {
                reject(error);
              }
            },
            onError: reject,
          },
        );
      });
    },
  };
}
