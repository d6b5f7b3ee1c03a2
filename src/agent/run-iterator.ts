import type { ChatEvent } from "../types.js";
import type { AgentEvent } from "./types.js";

/**
 * A step's chat stream, yielded by the run's generator in place of re-yielding each of its
 * events: {@link runIterator} hands them from the chat stream to the consumer directly. An
 * event that went through the generator paid for a resumption, an `await` and a queued
 * request each; a run streams hundreds of them.
 */
export class StepEvents {
  constructor(readonly events: AsyncIterator<ChatEvent>) {}
}

/** The run's generator: its own events, and each step's chat stream as a {@link StepEvents}. */
export type RunGenerator = AsyncGenerator<AgentEvent | StepEvents, void, undefined>;

type Result = IteratorResult<AgentEvent>;

/**
 * The consumer's iterator over a run: the generator's events, with each step's chat events
 * (but its `final`, which the agent's own events replace) read straight from the chat stream.
 * It behaves as the generator did when it re-yielded them: a chat error is thrown into the
 * generator where the step is read; `return()` and `throw()` close the step's stream first, so
 * its span ends before the agent's; calls made before the previous one settled wait their turn.
 */
export function runIterator(run: RunGenerator): Required<AsyncIterator<AgentEvent>> {
  let step: AsyncIterator<ChatEvent> | undefined;
  // Calls not yet settled, and the promise of the latest: a call waits for the one before it.
  let pending = 0;
  let latest: Promise<Result> | undefined;

  const settled = (result: Result): Result => {
    pending--;
    return result;
  };
  const failed = (error: unknown): never => {
    pending--;
    throw error;
  };
  const fromRun = (result: IteratorResult<AgentEvent | StepEvents>): Result | Promise<Result> => {
    if (result.done !== true && result.value instanceof StepEvents) {
      step = result.value.events;
      return readStep(step);
    }
    return settled(result as Result);
  };
  const readStep = (events: AsyncIterator<ChatEvent>): Promise<Result> =>
    events.next().then(fromStep, stepFailed);
  const fromStep = (result: IteratorResult<ChatEvent>): Result | Promise<Result> => {
    if (result.done === true) {
      step = undefined;
      return run.next().then(fromRun, failed);
    }
    if (result.value.type === "final") return readStep(step!);
    return settled(result as Result);
  };
  // Thrown into the generator where it reads the step, as a `for await` over it would have.
  const stepFailed = (error: unknown): Promise<Result> => {
    step = undefined;
    return run.throw(error).then(fromRun, failed);
  };

  const next = (): Promise<Result> =>
    step === undefined ? run.next().then(fromRun, failed) : readStep(step);
  // What a `for await` in the generator did on leaving early: close the step's stream first;
  // an error from that close replaces a return (but never a throw).
  const closeStep = (): Promise<unknown> => {
    const events = step;
    step = undefined;
    return events?.return?.() ?? Promise.resolve();
  };
  const stop = (value: unknown): Promise<Result> =>
    closeStep()
      .then(
        () => run.return(value as undefined),
        (error: unknown) => run.throw(error),
      )
      .then(fromRun, failed);
  const raise = (error: unknown): Promise<Result> => {
    const thrown = () => run.throw(error);
    return closeStep().then(thrown, thrown).then(fromRun, failed);
  };
  const queued = (call: () => Promise<Result>): Promise<Result> => {
    latest = pending++ === 0 ? call() : latest!.then(call, call);
    return latest;
  };

  return {
    next: () => queued(next),
    return: (value?: unknown) => queued(() => stop(value)),
    throw: (error?: unknown) => queued(() => raise(error)),
  };
}
