import * as df from 'durable-functions';
import { publish } from '../../notify/publish.js';
import type { RunEvent } from '../../runs/run-record.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const NOTIFY = 'notify';

/**
 * Sends a run event to the queue (a failure is retried by the orchestration) and the webhook
 * (a failure is logged and recorded on the run, never fails it).
 */
df.app.activity(NOTIFY, {
  handler: (event: RunEvent, context) =>
    runActivity(async () => {
      const { storage, config, store } = getServices();
      await publish(event, { events: storage.events, webhook: config.notify, store, log: (line) => context.warn(line) });
      return null;
    }),
});
