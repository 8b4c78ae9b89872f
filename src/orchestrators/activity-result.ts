/**
 * The contract between activities and the orchestrator for failures. Durable Functions retries
 * every exception an activity throws, so activities throw only transient failures and *return*
 * permanent ones (`{ ok: false }`), which the orchestrator turns into a failed run at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyError, type ServiceFailure } from '../azure/service-errors.js';

export type ActivityResult<T> = { ok: true; value: T } | { ok: false; error: ServiceFailure };

/** Longest Retry-After an activity waits out itself before handing the retry to the orchestration. */
const MAX_RETRY_AFTER_WAIT_MS = 30_000;

export class PermanentFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentFailure';
  }
}

/**
 * Quick in-activity attempts for momentary blips (a 429 or 500 on one request among several),
 * before the failure goes to the orchestration's durable, slower retry meant for real outages.
 */
const QUICK_ATTEMPTS = 3;
const QUICK_BACKOFF_MS = 250;

/** Runs an activity body; `PermanentFailure`s and permanent service errors become `{ ok: false }`. */
export async function runActivity<T>(body: () => Promise<T>, quickAttempts = QUICK_ATTEMPTS): Promise<ActivityResult<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await body() };
    } catch (error) {
      if (error instanceof PermanentFailure) return { ok: false, error: { code: error.code, message: error.message } };
      const classified = classifyError(error);
      if (classified.permanent) return { ok: false, error: classified.failure };
      // Honour Retry-After: the next attempt (here or the orchestration's) comes no earlier than asked.
      const last = attempt >= quickAttempts;
      const wait = classified.retryAfterMs ?? (last ? 0 : QUICK_BACKOFF_MS * 2 ** (attempt - 1));
      if (wait > 0) await sleep(Math.min(wait, MAX_RETRY_AFTER_WAIT_MS));
      if (last) throw new Error(`transient: ${classified.failure.code}: ${classified.failure.message}`);
    }
  }
}
