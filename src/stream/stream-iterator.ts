import type { ChatEvent } from "../types.js";

type Step = () => Promise<IteratorResult<ChatEvent>>;

/**
 * The iterator a `for await` loop holds for the whole call: a class instance, not an object
 * literal. V8 may pretenure an object literal whose objects outlived a scavenge early in the
 * process (it allocates the site's later objects in old space, where they stay until a full
 * collection, dead or not), and this one's functions reach the whole stream: every call's
 * chunks, text and events would then outlive the young generation. An instance has no
 * allocation site, so it dies young with its call.
 */
export class StreamIterator implements AsyncIterator<ChatEvent> {
  readonly next: Step;
  readonly return: Step;

  constructor(next: Step, stop: Step) {
    this.next = next;
    this.return = stop;
  }
}
