import * as df from 'durable-functions';
import { sendToQueue, sendToWebhook } from '../../notify/publish.js';
import type { RunEvent } from '../../runs/run-record.js';
import { applyUpdate } from '../../runs/run-store.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../services.js';

export const NOTIFY = 'notify';

/**
 * Sends a run event to the queue (a failure is retried by the orchestration) and the webhook
 * (a failure is logged and recorded on the run, never fails it).
 */
df.app.activity(NOTIFY, {
  handler: (event: RunEvent, context) =>
    runActivity(async () => {
      const { storage, config, store } = getServices();
      await sendToQueue(storage.events, event);
      const problem = await sendToWebhook(config.notify, event);
      if (problem) context.warn(`notification ${event.id}: ${problem}`);
      const webhook = problem ? 'failed' : config.notify.webhookUrl ? 'delivered' : 'not configured';
      await store.update(event.runId, (run) =>
        applyUpdate(run, {
          at: new Date().toISOString(),
          notification: { id: event.id, type: event.type, webhook },
          ...(problem ? { notificationFailure: { event: event.id, error: problem } } : {}),
        }),
      );
      return null;
    }),
});
