/**
 * Carries out the lifecycle plan (aliases/lifecycle-plan.ts) against Azure and the registry: one
 * pass of the lifecycle timer. Each action is independent: one failure is logged and the next
 * tick tries again.
 */
import { expirePrevious } from './alias-record.js';
import { AliasStore } from './alias-store.js';
import { listLiveDeployments, startDelete } from './deployment-ops.js';
import { planLifecycle, type LifecycleAction } from './lifecycle-plan.js';
import { publishRunNotice } from '../notify/publish.js';
import { getServices } from '../services.js';
import type { RunEventType } from '../runs/run-record.js';

export async function runLifecycle(now: number, log: (line: string) => void): Promise<LifecycleAction[]> {
  const { arm, config, storage, openai, store: runs } = getServices();
  const store = new AliasStore(storage.runs);
  if (!(await storage.runs.exists())) return [];
  const [aliases, deployments, usage, live] = await Promise.all([store.listAliases(), store.listDeployments(), store.listUsage(), listLiveDeployments(arm, config.arm)]);
  const actions = planLifecycle({ aliases, deployments, usage: new Map(usage.map((u) => [u.deploymentName, u.lastUsedAt])), live, now, settings: config.aliases });
  const at = new Date(now).toISOString();
  const notify = async (type: RunEventType, record: { runId: string; dataset: string }, data: Record<string, unknown>): Promise<void> => {
    // Recorded on the run too (when it still has a record), so its page shows why its deployment went.
    await publishRunNotice(type, record, data, at, `${data['deployment']}:${at}`, { events: storage.events, webhook: config.notify, store: runs, log });
  };
  for (const action of actions) {
    try {
      switch (action.kind) {
        case 'expire-previous': {
          let released: string | undefined;
          await store.transition(
            action.alias,
            (existing) => {
              const t = existing ? expirePrevious(existing, at) : undefined;
              if (!t || !existing) throw new Error('nothing to expire any more');
              released = t.released[0]?.deploymentName;
              return t;
            },
            at,
          );
          if (released) {
            await startDelete(arm, config.arm, released);
            await store.markDeleted(released, at, `superseded on '${action.alias}'; grace period over`);
            const record = deployments.find((d) => d.deploymentName === released);
            if (record) await notify('deployment.deleted', record, { alias: action.alias, deployment: released, model: record.model, reason: 'superseded; grace period over' });
            log(`lifecycle: deleted ${released} (previous of '${action.alias}', grace period over)`);
          }
          break;
        }
        case 'delete':
          await startDelete(arm, config.arm, action.deployment.deploymentName);
          await store.markDeleted(action.deployment.deploymentName, at, action.reason);
          await notify('deployment.deleted', action.deployment, { alias: action.deployment.alias ?? null, deployment: action.deployment.deploymentName, model: action.deployment.model, reason: action.reason });
          log(`lifecycle: deleted ${action.deployment.deploymentName} (${action.reason})`);
          break;
        case 'missing':
          await store.markDeleted(action.deployment.deploymentName, at, 'missing in Azure (deleted outside the app, or after 15 idle days)');
          await notify('deployment.deleted', action.deployment, {
            alias: action.alias,
            deployment: action.deployment.deploymentName,
            model: action.deployment.model,
            reason: 'missing in Azure',
            ...(action.alias ? { message: `Alias '${action.alias}' will re-create it on its next chat request (answered 503 with Retry-After while it provisions).` } : {}),
          });
          log(`lifecycle: ${action.deployment.deploymentName} is missing in Azure`);
          break;
        case 'idle-warning':
          await notify('deployment.idle_warning', action.deployment, {
            alias: action.alias,
            deployment: action.deployment.deploymentName,
            model: action.deployment.model,
            idleHours: action.idleHours,
            limitHours: action.limitHours,
            lastActivity: action.lastActivity,
            message: `${action.deployment.deploymentName} has had no traffic for ${action.idleHours} h; Azure deletes fine-tuned deployments after ${action.limitHours} h without traffic.`,
          });
          await store.updateDeployment(action.deployment.deploymentName, (r) => (r ? { ...r, idleWarnedFor: action.lastActivity } : undefined));
          break;
        case 'keep-warm':
          await openai.chat.completions.create({ model: action.deployment.deploymentName, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
          await store.writeUsage({ deploymentName: action.deployment.deploymentName, lastUsedAt: at });
          log(`lifecycle: kept ${action.deployment.deploymentName} ('${action.alias}') warm with a one-token completion`);
          break;
        case 'tear-down':
          await startDelete(arm, config.arm, action.deployment.deploymentName);
          await store.markDeleted(action.deployment.deploymentName, at, `torn down after ${action.idleDays} idle day(s) (alias idle policy); re-created on the next chat request`);
          await notify('deployment.deleted', action.deployment, { alias: action.alias, deployment: action.deployment.deploymentName, model: action.deployment.model, reason: 'idle tear-down' });
          log(`lifecycle: tore down ${action.deployment.deploymentName} ('${action.alias}') after ${action.idleDays} idle day(s)`);
          break;
      }
    } catch (error) {
      // One failed action must not stop the others; the next tick tries again.
      log(`lifecycle: ${action.kind} ${'deployment' in action && typeof action.deployment === 'object' ? action.deployment.deploymentName : ''} failed: ${(error as Error).message}`);
    }
  }
  return actions;
}

