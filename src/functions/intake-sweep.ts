/**
 * Every 10 minutes: report validation and options files whose training file never came (see
 * intake/orphans.ts). One listing of the drop zone per sweep; each orphan is reported once.
 */
import { app, type InvocationContext } from '@azure/functions';
import { reportOrphanCompanions } from '../intake/orphans.js';
import { getServices } from '../services.js';

export const INTAKE_SWEEP = 'intakeSweep';

export async function intakeSweep(_timer: unknown, context: InvocationContext): Promise<void> {
  const { config, storage, store } = getServices();
  const reported = await reportOrphanCompanions(
    { datasets: storage.datasets, store, orphanMinutes: config.intake.orphanMinutes, publish: { events: storage.events, webhook: config.notify, store, log: (line) => context.warn(line) } },
    new Date(),
  );
  if (reported.length > 0) context.log(`intake sweep: reported ${reported.length} orphan companion file(s)`);
}

app.timer(INTAKE_SWEEP, { schedule: '0 */10 * * * *', handler: intakeSweep });
