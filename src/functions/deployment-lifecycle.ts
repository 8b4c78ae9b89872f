/**
 * The deployment lifecycle manager (timer, LIFECYCLE_SCHEDULE): ends grace periods (deletes
 * superseded deployments), deletes candidates marked for deletion, notices deployments Azure
 * deleted (the chat endpoint re-creates an alias's on its next request), warns before Azure's idle
 * deletion, and applies each alias's idle policy (keep warm with a tiny completion, or tear down).
 * The rules are in aliases/lifecycle-plan.ts, carried out by aliases/lifecycle-run.ts.
 */
import { app, type InvocationContext } from '@azure/functions';
import { runLifecycle } from '../aliases/lifecycle-run.js';
import { setting } from '../config.js';

export const DEPLOYMENT_LIFECYCLE = 'deploymentLifecycle';

export async function deploymentLifecycle(_timer: unknown, context: InvocationContext): Promise<void> {
  const actions = await runLifecycle(Date.now(), (line) => context.log(line));
  context.log(`lifecycle: ${actions.length} action(s)`);
}

app.timer(DEPLOYMENT_LIFECYCLE, {
  // Resolved when the worker loads the app, so the declared default applies (see dataset-dropped.ts).
  schedule: setting('LIFECYCLE_SCHEDULE')!,
  handler: deploymentLifecycle,
});
