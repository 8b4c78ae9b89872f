/**
 * What the lifecycle timer should do now, decided from the registry, the last-use stamps and
 * Azure's list of deployments. Pure (the timer function carries the actions out), so every rule
 * is unit-tested with plain data.
 *
 * Azure's rules it plans around (Microsoft Learn, "Deploy a fine-tuned model", Azure OpenAI): a
 * fine-tuned deployment with no chat completions or responses calls for 15 days is deleted (the
 * model itself stays and can be deployed again). Developer-tier deployments are removed after 24
 * hours: stated in the issue and in Azure's Developer-tier announcement, but not found on a page the
 * search tool could reach, and whether use restarts the 24 hours is not documented; the plan counts
 * them from creation, the safe reading.
 */
import type { DeploymentRecord } from '../runs/deployment-registry.js';
import type { IdlePolicy, LifecycleOptions } from '../runs/release-options.js';
import type { AliasRecord } from './alias-record.js';
import type { LiveDeployment } from './deployment-ops.js';

export const IDLE_LIMIT_MS = 15 * 24 * 3_600_000;
export const DEVELOPER_TIER_LIMIT_MS = 24 * 3_600_000;

export interface LifecycleSettings {
  idleWarnPercent: number;
  idlePolicy: IdlePolicy;
  idleTearDownDays: number;
}

export type LifecycleAction =
  | { kind: 'expire-previous'; alias: string; deployment: string }
  | { kind: 'delete'; deployment: DeploymentRecord; reason: string }
  | { kind: 'missing'; deployment: DeploymentRecord; alias: string | null }
  | { kind: 'idle-warning'; deployment: DeploymentRecord; alias: string | null; idleHours: number; limitHours: number; lastActivity: string }
  | { kind: 'keep-warm'; deployment: DeploymentRecord; alias: string }
  | { kind: 'tear-down'; deployment: DeploymentRecord; alias: string; idleDays: number };

export function limitMs(record: Pick<DeploymentRecord, 'sku'>): number {
  return record.sku === 'DeveloperTier' ? DEVELOPER_TIER_LIMIT_MS : IDLE_LIMIT_MS;
}

/** The later of the last use and the last (re)creation. */
export function lastActivity(record: DeploymentRecord, lastUsed: string | undefined): string {
  const created = (record.hosted ?? []).map((h) => h.from).sort().at(-1) ?? record.createdAt ?? record.updatedAt;
  if (record.sku === 'DeveloperTier') return created;
  return lastUsed && lastUsed > created ? lastUsed : created;
}

export function planLifecycle(input: {
  aliases: readonly AliasRecord[];
  deployments: readonly DeploymentRecord[];
  usage: ReadonlyMap<string, string>;
  live: readonly LiveDeployment[];
  now: number;
  settings: LifecycleSettings;
}): LifecycleAction[] {
  const { aliases, deployments, usage, live, now, settings } = input;
  const nowIso = new Date(now).toISOString();
  const actions: LifecycleAction[] = [];
  const liveNames = new Set(live.map((d) => d.name.toLowerCase()));
  const aliasOf = new Map<string, AliasRecord>();
  const expiring = new Set<string>();
  for (const a of aliases) {
    aliasOf.set(a.current.deploymentName, a);
    if (a.previous) {
      if (a.previous.deleteAfter <= nowIso) {
        actions.push({ kind: 'expire-previous', alias: a.alias, deployment: a.previous.deploymentName });
        expiring.add(a.previous.deploymentName);
      } else aliasOf.set(a.previous.deploymentName, a);
    }
  }
  for (const d of deployments) {
    if (d.deletedAt) continue;
    const alias = aliasOf.get(d.deploymentName);
    const isCurrent = alias?.current.deploymentName === d.deploymentName;
    if (expiring.has(d.deploymentName)) continue; // deleted with the expiry above
    if (!liveNames.has(d.deploymentName.toLowerCase())) {
      actions.push({ kind: 'missing', deployment: d, alias: alias?.alias ?? null });
      continue;
    }
    if (!alias && d.deleteAfter && d.deleteAfter <= nowIso) {
      actions.push({ kind: 'delete', deployment: d, reason: d.deletedReason ?? 'superseded; grace period over' });
      continue;
    }
    const active = lastActivity(d, usage.get(d.deploymentName));
    const idleMs = now - Date.parse(active);
    const limit = limitMs(d);
    const policy: LifecycleOptions = alias?.lifecycle ?? { idle: settings.idlePolicy, tearDownAfterDays: settings.idleTearDownDays };
    if (isCurrent && policy.idle === 'tear-down') {
      const days = policy.tearDownAfterDays ?? settings.idleTearDownDays;
      if (idleMs >= days * 24 * 3_600_000) {
        actions.push({ kind: 'tear-down', deployment: d, alias: alias.alias, idleDays: Math.floor(idleMs / 86_400_000) });
        continue;
      }
    }
    if (isCurrent && policy.idle === 'keep-warm' && d.sku !== 'DeveloperTier' && idleMs >= limit / 2) {
      // A tiny completion counts as traffic; half the limit leaves many timer ticks to succeed in.
      actions.push({ kind: 'keep-warm', deployment: d, alias: alias.alias });
      continue;
    }
    if (idleMs >= (limit * settings.idleWarnPercent) / 100 && d.idleWarnedFor !== active) {
      actions.push({ kind: 'idle-warning', deployment: d, alias: alias?.alias ?? null, idleHours: Math.round(idleMs / 360_000) / 10, limitHours: limit / 3_600_000, lastActivity: active });
    }
  }
  return actions;
}
