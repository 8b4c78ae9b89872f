import { setTimeout as sleep } from 'node:timers/promises';

/** A counting semaphore: at most `limit` holders at once, the rest wait in arrival order. */
export class Semaphore {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get held(): number {
    return this.#held;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#held >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#held++;
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#held--;
    }
  }
}

/**
 * The Azure Storage backend's pick-up latency, as an option: its queue pollers back off
 * exponentially while idle, up to `maxQueuePollingInterval` (30 s by default; Durable Functions
 * "Performance and scale", queue polling), so work that arrives after a quiet spell waits up to
 * that long. Modelled as a random wait up to the poll interval an idle poller would have reached:
 * it doubles from 100 ms for as long as nothing happened, capped at the maximum.
 */
export class PollingLatency {
  readonly #maxMs: number;
  #lastWork = Date.now();

  constructor(maxMs: number) {
    this.#maxMs = maxMs;
  }

  /** Waits as a polling worker would before it sees new work; returns false if `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<boolean> {
    const idle = Date.now() - this.#lastWork;
    let interval = 100;
    while (interval < idle && interval < this.#maxMs) interval *= 2;
    const delay = Math.random() * Math.min(interval, this.#maxMs);
    this.#lastWork = Date.now();
    return sleep(delay, true, signal ? { signal } : undefined).catch(() => false);
  }
}
