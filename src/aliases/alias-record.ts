/**
 * An alias (the name clients put in `model`) and what it points at: the current deployment, and
 * the previous one for a grace period so a rollback is instant. `runs/aliases/<alias>.json`.
 * The switch is one conditional blob write: a chat request sees the old deployment or the new
 * one, never a mix. The transitions here are pure; alias-store.ts writes them.
 */
import type { LifecycleOptions } from '../runs/release-options.js';

export interface AliasTarget {
  deploymentName: string;
  model: string;
  runId: string;
  baseModel?: string;
  sku?: string;
  /** The evaluation aggregates of this model when it was a candidate. */
  scores?: Record<string, number | null>;
  /** When it became the alias's current deployment. */
  since: string;
}

export interface AliasHistoryEntry {
  at: string;
  action: 'promote' | 'rollback';
  deploymentName: string;
  runId: string;
  from?: string;
  reason: string;
}

export interface AliasRecord {
  alias: string;
  current: AliasTarget;
  /** The deployment the alias pointed at before; deleted after `deleteAfter` unless rolled back to. */
  previous?: AliasTarget & { supersededAt: string; deleteAfter: string };
  lifecycle?: LifecycleOptions;
  /** Newest last; capped. */
  history: AliasHistoryEntry[];
  updatedAt: string;
}

const HISTORY_LIMIT = 50;

export class AliasConflict extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Transition {
  record: AliasRecord;
  /** Deployments the alias let go of (beyond rollback reach): to be deleted. */
  released: AliasTarget[];
}

function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function promote(existing: AliasRecord | undefined, alias: string, target: Omit<AliasTarget, 'since'>, at: string, graceMs: number, reason: string, lifecycle?: LifecycleOptions): Transition {
  if (existing?.current.deploymentName === target.deploymentName) throw new AliasConflict('already_current', `'${alias}' already points at ${target.deploymentName}`);
  const released: AliasTarget[] = [];
  let previous: AliasRecord['previous'];
  if (existing) {
    if (existing.previous && existing.previous.deploymentName !== target.deploymentName) released.push(existing.previous);
    previous = { ...existing.current, supersededAt: at, deleteAfter: addMs(at, graceMs) };
  }
  const record: AliasRecord = {
    alias,
    current: { ...target, since: at },
    ...(previous ? { previous } : {}),
    ...(lifecycle ?? existing?.lifecycle ? { lifecycle: lifecycle ?? existing!.lifecycle! } : {}),
    history: [...(existing?.history ?? []), { at, action: 'promote' as const, deploymentName: target.deploymentName, runId: target.runId, ...(existing ? { from: existing.current.deploymentName } : {}), reason }].slice(-HISTORY_LIMIT),
    updatedAt: at,
  };
  return { record, released };
}

export function rollback(existing: AliasRecord | undefined, alias: string, at: string, graceMs: number, deleted: (deploymentName: string) => boolean): Transition {
  if (!existing) throw new AliasConflict('alias_not_found', `no alias '${alias}'`);
  const back = existing.previous;
  if (!back) throw new AliasConflict('no_previous', `'${alias}' has no previous deployment to roll back to (none, or its grace period ended and it was deleted)`);
  if (deleted(back.deploymentName)) throw new AliasConflict('previous_deleted', `the previous deployment ${back.deploymentName} of '${alias}' was already deleted`);
  const { supersededAt: _s, deleteAfter: _d, ...target } = back;
  const record: AliasRecord = {
    ...existing,
    current: { ...target, since: at },
    previous: { ...existing.current, supersededAt: at, deleteAfter: addMs(at, graceMs) },
    history: [...existing.history, { at, action: 'rollback' as const, deploymentName: back.deploymentName, runId: back.runId, from: existing.current.deploymentName, reason: 'rolled back on request' }].slice(-HISTORY_LIMIT),
    updatedAt: at,
  };
  return { record, released: [] };
}

/** Drops a previous deployment whose grace period is over; returns it to be deleted. */
export function expirePrevious(existing: AliasRecord, now: string): Transition | undefined {
  if (!existing.previous || existing.previous.deleteAfter > now) return undefined;
  const { previous, ...rest } = existing;
  return { record: { ...rest, updatedAt: now }, released: [previous] };
}
