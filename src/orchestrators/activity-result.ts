/**
 * The contract between activities and the orchestrator for failures. Durable Functions retries
 * every exception an activity throws, so activities throw only transient failures and *return*
 * permanent ones (`{ ok: false }`), which the orchestrator turns into a failed run at once.
 */
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

/** Runs an activity body; `PermanentFailure`s and permanent service errors become `{ ok: false }`. */
export async function runActivity<T>(body: () => Promise<T>): Promise<ActivityResult<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (error) {
    if (error instanceof PermanentFailure) return { ok: false, error: { code: error.code, message: error.message } };
    const classified = classifyError(error);
    if (classified.permanent) return { ok: false, error: classified.failure };
    // Honour Retry-After: the orchestration's next attempt then comes no earlier than asked.
    const wait = Math.min(classified.retryAfterMs ?? 0, MAX_RETRY_AFTER_WAIT_MS);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    throw new Error(`transient: ${classified.failure.code}: ${classified.failure.message}`);
  }
}
