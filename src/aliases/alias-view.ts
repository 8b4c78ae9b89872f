/**
 * What `GET /api/aliases` answers: every alias with its current and previous deployment, and
 * every deployment the app made, with last use, hosting hours and hosting cost so far. Pure: the
 * function API reads the registry and hands it here.
 */
import type { PriceTable } from '../costs/prices.js';
import { hostingCost } from '../costs/training-cost.js';
import type { DeploymentRecord } from '../runs/deployment-registry.js';
import type { AliasHistoryEntry, AliasRecord, AliasTarget } from './alias-record.js';

export function hostedHours(record: Pick<DeploymentRecord, 'hosted' | 'createdAt' | 'deletedAt'>, now: number): number {
  const periods = record.hosted ?? (record.createdAt ? [{ from: record.createdAt, ...(record.deletedAt ? { to: record.deletedAt } : {}) }] : []);
  const ms = periods.reduce((sum, p) => sum + Math.max(0, (p.to ? Date.parse(p.to) : now) - Date.parse(p.from)), 0);
  return ms / 3_600_000;
}

export type DeploymentState = 'current' | 'previous' | 'candidate' | 'superseded' | 'deleted';

export interface DeploymentView {
  deployment: string;
  alias: string | null;
  runId: string;
  model: string;
  baseModel: string | null;
  sku: string | null;
  state: DeploymentState;
  createdAt: string | null;
  deleteAfter: string | null;
  deletedAt: string | null;
  deletedReason: string | null;
  lastUsedAt: string | null;
  hostingHours: number;
  hostingCost: { amount: number | null; currency: string };
}

export interface AliasTargetView {
  deployment: string;
  model: string;
  runId: string;
  since: string;
  scores: Record<string, number | null> | null;
  lastUsedAt: string | null;
  hostingHours: number;
  hostingCost: { amount: number | null; currency: string };
}

export interface AliasView {
  alias: string;
  current: AliasTargetView;
  previous: (AliasTargetView & { supersededAt: string; deleteAfter: string }) | null;
  lastUsedAt: string | null;
  /** Every deployment made for this alias (all runs), hosting so far. */
  hosting: { hours: number; cost: { amount: number | null; currency: string } };
  lifecycle: AliasRecord['lifecycle'] | null;
  updatedAt: string;
  history: AliasHistoryEntry[];
}

/** The body of `GET /api/aliases`, as the CLI and the console read it. */
export interface AliasListing {
  aliases: AliasView[];
  deployments: DeploymentView[];
  currency: string;
  /** How long a superseded deployment stays for a rollback. */
  graceSeconds: number;
}

export function viewRegistry(
  aliases: readonly AliasRecord[],
  deployments: readonly DeploymentRecord[],
  usage: ReadonlyMap<string, string>,
  prices: PriceTable,
  now: number,
): { aliases: AliasView[]; deployments: DeploymentView[] } {
  const roleOf = new Map<string, DeploymentState>();
  for (const a of aliases) {
    roleOf.set(a.current.deploymentName, 'current');
    if (a.previous) roleOf.set(a.previous.deploymentName, 'previous');
  }
  const deploymentViews = deployments
    .map((d): DeploymentView => {
      const hours = hostedHours(d, now);
      const cost = hostingCost(prices, d.baseModel ?? '', d.sku ?? 'Standard', hours);
      const state: DeploymentState = d.deletedAt && !roleOf.has(d.deploymentName) ? 'deleted' : (roleOf.get(d.deploymentName) ?? (d.deleteAfter ? 'superseded' : 'candidate'));
      return {
        deployment: d.deploymentName,
        alias: d.alias ?? null,
        runId: d.runId,
        model: d.model,
        baseModel: d.baseModel ?? null,
        sku: d.sku ?? null,
        state,
        createdAt: d.createdAt ?? null,
        deleteAfter: d.deleteAfter ?? null,
        deletedAt: d.deletedAt ?? null,
        deletedReason: d.deletedReason ?? null,
        lastUsedAt: usage.get(d.deploymentName) ?? null,
        hostingHours: cost.hours,
        hostingCost: { amount: cost.amount, currency: cost.currency },
      };
    })
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.deployment.localeCompare(b.deployment));
  const byName = new Map(deploymentViews.map((d) => [d.deployment, d]));
  const target = (t: AliasTarget): AliasTargetView => {
    const d = byName.get(t.deploymentName);
    return {
      deployment: t.deploymentName,
      model: t.model,
      runId: t.runId,
      since: t.since,
      scores: t.scores ?? null,
      lastUsedAt: usage.get(t.deploymentName) ?? null,
      hostingHours: d?.hostingHours ?? 0,
      hostingCost: d?.hostingCost ?? { amount: null, currency: prices.currency },
    };
  };
  const aliasViews = aliases
    .map((a): AliasView => {
      const mine = deploymentViews.filter((d) => d.alias === a.alias);
      const amounts = mine.map((d) => d.hostingCost.amount);
      const lastUses = [a.current, a.previous].flatMap((t) => (t && usage.get(t.deploymentName) ? [usage.get(t.deploymentName)!] : [])).sort();
      return {
        alias: a.alias,
        current: target(a.current),
        previous: a.previous ? { ...target(a.previous), supersededAt: a.previous.supersededAt, deleteAfter: a.previous.deleteAfter } : null,
        lastUsedAt: lastUses.at(-1) ?? null,
        hosting: {
          hours: Math.round(mine.reduce((s, d) => s + d.hostingHours, 0) * 100) / 100,
          cost: { amount: amounts.some((x) => x === null) ? null : Math.round(amounts.reduce((s: number, x) => s + (x ?? 0), 0) * 100) / 100, currency: prices.currency },
        },
        lifecycle: a.lifecycle ?? null,
        updatedAt: a.updatedAt,
        history: a.history,
      };
    })
    .sort((a, b) => a.alias.localeCompare(b.alias));
  return { aliases: aliasViews, deployments: deploymentViews };
}
