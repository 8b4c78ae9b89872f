/**
 * The contract between activities and the orchestrator for failures. Durable Functions retries
 * every exception an activity throws, so activities throw only transient failures and *return*
 * permanent ones (`{ ok: false }`), which the orchestrator turns into a failed run at once.
 *
 * Activities make no retries of their own: quick retries of one request are the SDKs' (openai
 * `maxRetries`, the Azure SDK retry policies, both honouring Retry-After; SDK_QUICK_RETRIES, see
 * src/services.ts), slow ones the orchestration's (callActivityWithRetry, and the outage wait of
 * its status checks). What is left here is the one decision: permanent or transient.
 */
import { classifyError, type ServiceFailure } from '../azure/service-errors.js';

export type ActivityResult<T> = { ok: true; value: T } | { ok: false; error: ServiceFailure };

/** How a transient failure's message starts, so the orchestrator can read the code back (below). */
const TRANSIENT = 'transient: ';

export class PermanentFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentFailure';
  }
}

/** Runs an activity body once; `PermanentFailure`s and permanent service errors become `{ ok: false }`, transient ones are thrown. */
export async function runActivity<T>(body: () => Promise<T>): Promise<ActivityResult<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (error) {
    if (error instanceof PermanentFailure) return { ok: false, error: { code: error.code, message: error.message } };
    const classified = classifyError(error);
    if (classified.permanent) return { ok: false, error: classified.failure };
    throw new Error(`${TRANSIENT}${classified.failure.code}: ${classified.failure.message}`);
  }
}

/**
 * The user-facing failure behind an error the orchestrator caught, taken from the service's own
 * code and message rather than the host's wrapping. In Azure an activity's exception reaches the
 * orchestrator as `Activity function 'x' failed: Result: Failure\nException: <message>\nStack: …`
 * followed by serialized details (Durable extension TaskActivityShim + Functions host RpcException);
 * other hosts may pass the bare message. Every shape is read the same way: the transient marker's
 * code and message if present, else the innermost exception message's first line.
 */
export function failureOf(error: unknown): ServiceFailure {
  if (error instanceof PermanentFailure) return { code: error.code, message: error.message };
  const text = error instanceof Error ? error.message : String(error);
  const transient = new RegExp(`${TRANSIENT}([^\\s:]+): ([^\\n]*)`).exec(text);
  if (transient) return { code: transient[1]!, message: transient[2]!.trim() };
  const exception = /(?:^|\n)Exception: ([^\n]*)/.exec(text);
  const wrapped = /^Activity function '[^']*' failed: ([^\n]*)/.exec(text);
  const message = (exception?.[1] ?? wrapped?.[1] ?? text.split('\n')[0] ?? '').trim();
  return { code: 'pipeline_error', message: message || 'the pipeline failed' };
}
