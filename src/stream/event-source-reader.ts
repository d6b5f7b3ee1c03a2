import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import { MAX_EVENT_CHARS } from "./chunk-data.js";

const DECODE_STREAMING = { stream: true };
/** Where an event ends on the wire as OpenRouter and OpenAI-compatible servers write it. */
const EVENT_END = "\n\n";

/**
 * An event stream's body, from network reads to server-sent events: each read decoded and fed
 * to the parser, which calls `onEvent` for every event it completes.
 *
 * Until the stream has handed out its first event, a read is fed one event at a time, and
 * what follows the event that gave one is kept for {@link feedHeld}: a first read that holds
 * hundreds of events (a fast server, a proxy that buffered) would otherwise be parsed whole
 * before the consumer saw the first of them. After that, reads are fed whole: one call per
 * read, nothing searched.
 */
export class EventSourceReader {
  readonly #decoder = new TextDecoder();
  readonly #parser: EventSourceParser;
  /** Whether the stream has not yet handed out an event. */
  #beforeFirst = true;
  /** The text of a read after the block that gave the first event, not yet fed. */
  #held: string | undefined;

  /**
   * @param onEvent Each event, as the parser completes it.
   * @param onTooLarge One event grew past {@link MAX_EVENT_CHARS}: the stream should fail.
   */
  constructor(onEvent: (message: EventSourceMessage) => void, onTooLarge: () => void) {
    this.#parser = createParser({
      onEvent,
      onError: (error) => {
        if (error.type === "max-buffer-size-exceeded") onTooLarge();
        // Unknown fields and bad `retry` values are not ours to police.
      },
      maxBufferSize: MAX_EVENT_CHARS,
    });
  }

  /**
   * Feeds one network read. `handedOut` says whether what was fed so far gave the stream
   * something to hand out (or settled it): asked between events, until it first says yes.
   */
  feed(read: Uint8Array, handedOut: () => boolean): void {
    const text = this.#decoder.decode(read, DECODE_STREAMING);
    if (!this.#beforeFirst) {
      this.#parser.feed(text);
      return;
    }
    let from = 0;
    for (let end = text.indexOf(EVENT_END); end !== -1; end = text.indexOf(EVENT_END, from)) {
      const to = end + EVENT_END.length;
      // A read of one event, the usual case on a real network, is fed without a copy.
      this.#parser.feed(from === 0 && to === text.length ? text : text.slice(from, to));
      from = to;
      if (handedOut()) {
        this.#beforeFirst = false;
        if (from < text.length) this.#held = text.slice(from);
        return;
      }
    }
    // No blank line, or none after the last event (other line endings than "\n" included): the
    // rest is fed whole, as any read after the first event.
    if (from < text.length) this.#parser.feed(from === 0 ? text : text.slice(from));
    if (handedOut()) this.#beforeFirst = false;
  }

  /** Feeds the text held back from the read that gave the first event: whether there was any. */
  feedHeld(): boolean {
    const held = this.#held;
    if (held === undefined) return false;
    this.#held = undefined;
    this.#parser.feed(held);
    return true;
  }

  /** The end of the body: what the decoder still holds (an incomplete character at most). */
  end(): void {
    const tail = this.#decoder.decode();
    if (tail !== "") this.#parser.feed(tail);
  }
}
