import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import { MAX_EVENT_CHARS } from "./chunk-data.js";

const DECODE_STREAMING = { stream: true };
/** Where an event ends on the wire as OpenRouter and OpenAI-compatible servers write it. */
const EVENT_END = "\n\n";

/**
 * An event stream's body, from network reads to server-sent events: each read decoded and fed
 * to the parser, which calls `onEvent` for every event it completes.
 *
 * Until the stream has an event for its consumer, a read is fed one event at a time, and what
 * follows the event that gave one is held for {@link feedHeld}: a first read that holds hundreds
 * of events (a fast server, a proxy that buffered) would otherwise be parsed whole before the
 * consumer saw the first of them. After that, reads are fed whole: one call per read, nothing
 * searched.
 */
export class EventSourceReader {
  readonly #decoder = new TextDecoder();
  readonly #parser: EventSourceParser;
  #onEvent: (message: EventSourceMessage) => void;
  #onTooLarge: () => void;
  #hasEvent: () => boolean;
  /** Whether the stream has not yet had an event for its consumer (nor settled). */
  #beforeFirst = true;
  /** The text of a read after the event that gave the first one, not yet fed. */
  #held: string | undefined;

  /**
   * @param onEvent Each event, as the parser completes it.
   * @param onTooLarge One event grew past {@link MAX_EVENT_CHARS}: the stream should fail.
   * @param hasEvent Whether what was fed so far queued an event for the consumer, or settled
   *   the stream: asked between events until it first says yes.
   */
  constructor(
    onEvent: (message: EventSourceMessage) => void,
    onTooLarge: () => void,
    hasEvent: () => boolean,
  ) {
    this.#onEvent = onEvent;
    this.#onTooLarge = onTooLarge;
    this.#hasEvent = hasEvent;
    // The parser keeps what it is given until it is collected: these reach the stream through
    // this reader, and `release()` cuts them.
    this.#parser = createParser({
      onEvent: (message) => this.#onEvent(message),
      onError: (error) => {
        if (error.type === "max-buffer-size-exceeded") this.#onTooLarge();
        // Unknown fields and bad `retry` values are not ours to police.
      },
      maxBufferSize: MAX_EVENT_CHARS,
    });
  }

  /**
   * The stream has settled: nothing more is delivered, and the parser no longer reaches the
   * stream. The parser's own state is an object literal V8 may have pretenured; dead in old
   * space until a full collection, it would otherwise keep the stream's text and chunks alive
   * through every scavenge until then.
   */
  release(): void {
    this.#onEvent = ignore;
    this.#onTooLarge = ignore;
    this.#hasEvent = never;
    // What is left of a read goes to the parser in one piece, and nothing is held back.
    this.#beforeFirst = false;
    this.#held = undefined;
  }

  /** Feeds one network read. */
  feed(read: Uint8Array): void {
    let text = this.#decoder.decode(read, DECODE_STREAMING);
    while (this.#beforeFirst) {
      const at = text.indexOf(EVENT_END);
      // No blank line (other line endings than "\n" included), or only the read's last one:
      // the read, or what is left of it, is fed whole below.
      if (at === -1 || at + EVENT_END.length === text.length) break;
      const end = at + EVENT_END.length;
      this.#parser.feed(text.slice(0, end));
      text = text.slice(end);
      if (this.#hasEvent()) {
        this.#beforeFirst = false;
        this.#held = text;
        return;
      }
    }
    this.#parser.feed(text);
    if (this.#beforeFirst && this.#hasEvent()) this.#beforeFirst = false;
  }

  /** Feeds the text held back from the read that gave the first event: whether there was any. */
  feedHeld(): boolean {
    const held = this.#held;
    if (held === undefined) return false;
    this.#held = undefined;
    this.#parser.feed(held);
    return true;
  }

  /** The end of the body: what the decoder still holds (U+FFFD for an incomplete character). */
  end(): void {
    const tail = this.#decoder.decode();
    if (tail !== "") this.#parser.feed(tail);
  }
}

function ignore(): void {}

/** A settled stream queues no event (and is not asked: see `release`). */
function never(): boolean {
  return false;
}
