/**
 * Delivers a run event: a JSON message on the events queue (must succeed — the caller retries),
 * then the same body POSTed to the webhook when one is configured, signed, with a few bounded
 * retries. A webhook that keeps failing is reported back, never thrown: it must not fail a run.
 */
import type { QueueClient } from '@azure/storage-queue';
import { applyUpdate, type RunStore } from '../runs/run-store.js';
import type { RunEventType } from '../runs/run-record.js';
import { runEvent, type Notification } from './events.js';
import { signBody } from './signature.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WebhookSettings {
  webhookUrl?: string;
  webhookSecret?: string;
}

export const WEBHOOK_ATTEMPTS = 3;
const WEBHOOK_TIMEOUT_MS = 10_000;

export async function sendToQueue(queue: QueueClient, event: Notification): Promise<void> {
  await queue.createIfNotExists();
  // Plain JSON text (not base64), readable in Storage Explorer; see the README for queue-triggered consumers.
  await queue.sendMessage(JSON.stringify(event));
}

/** Returns undefined when delivered (or no webhook is configured), else why it failed. */
export async function sendToWebhook(settings: WebhookSettings, event: Notification, backoffMs = 500): Promise<string | undefined> {
  if (!settings.webhookUrl || !settings.webhookSecret) return undefined;
  const body = JSON.stringify(event);
  const headers = { 'content-type': 'application/json', 'x-signature': signBody(body, settings.webhookSecret), 'x-event-id': event.id };
  let problem = '';
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(settings.webhookUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return undefined;
      problem = `HTTP ${response.status}`;
      // A 4xx other than 408/429 will not get better by retrying.
      if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (attempt < WEBHOOK_ATTEMPTS) await sleep(backoffMs * 2 ** (attempt - 1));
  }
  // The URL may carry a token in its query: report the origin only.
  return `webhook ${new URL(settings.webhookUrl).origin} failed after ${WEBHOOK_ATTEMPTS} attempts: ${problem}`;
}

export interface PublishDeps {
  events: QueueClient;
  webhook: WebhookSettings;
  log: (line: string) => void;
  /** Where a run event is recorded as sent (`notifications` on run.json), with any webhook failure. */
  store?: RunStore;
}

/**
 * The one way the app notifies: the queue message (a failure throws, so the caller's retry
 * applies), then the webhook; a webhook that keeps failing is logged and, for a run event,
 * recorded on the run — it never fails the caller. Returns the webhook problem, if any.
 */
export async function publish(event: Notification, deps: PublishDeps): Promise<string | undefined> {
  await sendToQueue(deps.events, event);
  const problem = await sendToWebhook(deps.webhook, event);
  if (problem) deps.log(`notification ${event.id}: ${problem}`);
  if ('runId' in event && deps.store) {
    // The run page and `ftpipe run` list what was sent; a failed webhook also lands in notificationFailures.
    const webhook = problem ? 'failed' : deps.webhook.webhookUrl ? 'delivered' : 'not configured';
    try {
      await deps.store.update(event.runId, (run) =>
        applyUpdate(run, {
          at: new Date().toISOString(),
          notification: { id: event.id, type: event.type, webhook },
          ...(problem ? { notificationFailure: { event: event.id, error: problem } } : {}),
        }),
      );
    } catch (error) {
      // The queue message is the contract and it is sent: a record that cannot be written (storage
      // busy, conflicting writers) costs the run page one line, not the caller a 500 after an alias
      // already switched, nor a second message from a retried activity.
      deps.log(`notification ${event.id} sent, but not recorded on run ${event.runId}: ${(error as Error).message}`);
    }
  }
  return problem;
}

/**
 * An event outside a run's orchestration (an alias promoted or rolled back on request, a deployment
 * the lifecycle timer deleted or the chat endpoint re-created): these repeat for the same run, so
 * the id carries `repeatKey` (a time, and what it concerns); the event carries the run's current
 * status; and it is recorded on the run when the run still has a record, so the run page lists it
 * next to the pipeline's own notifications.
 */
export async function publishRunNotice(
  type: RunEventType,
  target: { runId: string; dataset: string },
  data: Record<string, unknown>,
  at: string,
  repeatKey: string,
  deps: Omit<PublishDeps, 'store'> & { store: RunStore },
): Promise<string | undefined> {
  // An unreadable run record must not stop the notice (the chat endpoint sends one while it
  // re-creates a deployment): it is sent without the run's status and not recorded on the run.
  const run = await deps.store.get(target.runId).catch((error: unknown) => {
    deps.log(`notification ${type} for run ${target.runId}: its record is unreadable (${(error as Error).message}); not recorded on it`);
    return undefined;
  });
  const event = runEvent({ runId: target.runId, dataset: target.dataset, status: run?.status ?? 'succeeded' }, type, at, data);
  const { store, ...rest } = deps;
  return publish({ ...event, id: `${event.id}:${repeatKey}` }, { ...rest, ...(run ? { store } : {}) });
}
