/**
 * Runs `count` tasks, at most `limit` at a time, started in index order, and hands out their
 * results in the order they settle. A task that rejects (or throws) is turned into a result by
 * `onReject`: a rejection left unhandled here would hang `take()` and reach the process.
 */
export class TaskPool<T> {
  readonly #count: number;
  readonly #limit: number;
  readonly #start: (index: number) => Promise<T>;
  readonly #onReject: (index: number, error: unknown) => T;
  readonly #results: T[] = [];
  #next = 0;
  #running = 0;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(
    count: number,
    limit: number,
    start: (index: number) => Promise<T>,
    onReject: (index: number, error: unknown) => T,
  ) {
    this.#count = count;
    this.#limit = limit;
    this.#start = start;
    this.#onReject = onReject;
    this.#fill();
  }

  /** The next result in settle order; undefined once every started task has been taken. */
  async take(): Promise<T | undefined> {
    while (this.#results.length === 0) {
      if (this.#running === 0) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    return this.#results.shift();
  }

  /** Starts nothing more; the tasks already running still settle and can be taken. */
  stop(): void {
    this.#stopped = true;
  }

  #fill(): void {
    while (!this.#stopped && this.#running < this.#limit && this.#next < this.#count) {
      const index = this.#next++;
      this.#running++;
      let task: Promise<T>;
      try {
        task = this.#start(index);
      } catch (error) {
        task = Promise.reject(error);
      }
      void task.then(
        (result) => this.#settle(result),
        (error: unknown) => this.#settle(this.#onReject(index, error)),
      );
    }
  }

  #settle(result: T): void {
    this.#running--;
    this.#results.push(result);
    this.#fill();
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
