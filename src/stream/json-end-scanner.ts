const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Fed a JSON text in pieces, tells whether the text so far could be whole JSON: no string is
 * open and every bracket is closed. Each character is looked at once, so asking after every
 * piece costs linear time in all, where parsing the joined text each time is quadratic. Whole
 * JSON always passes; what passes still needs a parse (`{:}` passes too).
 */
export class JsonEndScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** More closing brackets than opening ones, or text after the value: never whole again. */
  #broken = false;
  /** A top-level object or array has closed: only whitespace may follow. */
  #ended = false;
  /** The first character that is not whitespace opened an object or an array. */
  #container: boolean | undefined;

  feed(text: string): void {
    if (this.#broken) return;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (!this.#inString && !isWhitespace(code)) {
        if (this.#ended) {
          this.#broken = true;
          return;
        }
        this.#container ??= code === OPEN_BRACE || code === OPEN_BRACKET;
      }
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (code === BACKSLASH) this.#escaped = true;
        else if (code === QUOTE) this.#inString = false;
      } else if (code === QUOTE) this.#inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.#depth++;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (--this.#depth < 0) {
          this.#broken = true;
          return;
        }
        if (this.#depth === 0 && this.#container) this.#ended = true;
      }
    }
  }

  /** False when the text so far cannot be whole JSON (a string or a bracket is still open). */
  get mayBeWhole(): boolean {
    return !this.#broken && !this.#inString && this.#depth === 0;
  }

  /**
   * Whether the text is an object or an array that has closed: then asking again costs no
   * parse, since nothing but whitespace can follow without breaking it for good. A top-level
   * number can keep growing (`1`, `11`, ...), so a scalar never counts as ended.
   */
  get endedContainer(): boolean {
    return this.#ended && !this.#broken;
  }
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Whether `text` parses as JSON. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
