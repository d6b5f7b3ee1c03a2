const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Tells, fed a JSON text in pieces, whether the object or array it opens has been closed. Each
 * character is looked at once, so asking after every piece costs linear time in all, where
 * joining and parsing the text each time would be quadratic. A closed value may still be
 * invalid inside (`{"a":}`); whatever follows it cannot make it valid again.
 */
export class JsonEndScanner {
  #depth = 0;
  #opened = false;
  #inString = false;
  #escaped = false;
  /** Set when the text does not start with `{` or `[`, or closes more than it opened. */
  #other = false;

  feed(text: string): void {
    if (this.#other) return;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (code === BACKSLASH) this.#escaped = true;
        else if (code === QUOTE) this.#inString = false;
        continue;
      }
      if (code === QUOTE) this.#inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        this.#depth++;
        this.#opened = true;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (--this.#depth < 0) this.#other = true;
      } else if (!this.#opened && !isJsonSpace(code)) this.#other = true;
      if (this.#other) return;
    }
  }

  /** Whether the text fed so far is an object or array that has been closed. */
  get closed(): boolean {
    return this.#opened && !this.#other && this.#depth === 0 && !this.#inString;
  }
}

export function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}
