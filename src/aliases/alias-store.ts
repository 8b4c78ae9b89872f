/**
 * Reads and writes the deployment registry's aliases, deployment records and last-use stamps,
 * each with ETag-conditioned updates (json-blobs.ts). Promotion and rollback are one conditional
 * write of the alias blob: the switch is atomic for every reader.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { aliasBlob, ALIASES_PREFIX, deploymentBlob, listDeployments, usageBlob, USAGE_PREFIX, type DeploymentRecord } from '../runs/deployment-registry.js';
import type { LifecycleOptions } from '../runs/release-options.js';
import { AliasConflict, promote, rollback, type AliasRecord, type AliasTarget, type Transition } from './alias-record.js';
import { listJson, readJson, updateJson } from './json-blobs.js';

export interface UsageStamp {
  deploymentName: string;
  lastUsedAt: string;
}

export class AliasStore {
  constructor(private readonly runs: ContainerClient) {}

  async getAlias(alias: string): Promise<AliasRecord | undefined> {
    return (await readJson<AliasRecord>(this.runs, aliasBlob(alias)))?.value;
  }

  listAliases(onInvalid?: (blob: string, problem: string) => void): Promise<AliasRecord[]> {
    return listJson<AliasRecord>(this.runs, ALIASES_PREFIX, onInvalid);
  }

  async listDeployments(onInvalid?: (blob: string, problem: string) => void): Promise<DeploymentRecord[]> {
    try {
      return await listDeployments(this.runs, onInvalid);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return [];
      throw error;
    }
  }

  async getDeployment(name: string): Promise<DeploymentRecord | undefined> {
    return (await readJson<DeploymentRecord>(this.runs, deploymentBlob(name)))?.value;
  }

  updateDeployment(name: string, change: (current: DeploymentRecord | undefined) => DeploymentRecord | undefined): Promise<DeploymentRecord | undefined> {
    return updateJson<DeploymentRecord>(this.runs, deploymentBlob(name), change);
  }

  /** Applies an alias transition computed from the current record; marks released deployments for deletion. */
  async transition(alias: string, compute: (existing: AliasRecord | undefined) => Transition, at: string): Promise<Transition> {
    let result: Transition | undefined;
    await this.runs.createIfNotExists();
    await updateJson<AliasRecord>(this.runs, aliasBlob(alias), (existing) => {
      result = compute(existing);
      return result.record;
    });
    for (const released of result!.released) await this.scheduleDeletion(released.deploymentName, at, `superseded on '${alias}'`);
    // A deployment the alias points at again must not be deleted by an earlier schedule.
    for (const target of [result!.record.current, result!.record.previous].filter((t): t is NonNullable<typeof t> => t !== undefined)) {
      await this.updateDeployment(target.deploymentName, (r) => (r && r.deleteAfter && !r.deletedAt ? (({ deleteAfter: _d, ...rest }) => rest)(r) : undefined));
    }
    return result!;
  }

  promote(alias: string, target: Omit<AliasTarget, 'since'>, at: string, graceMs: number, reason: string, lifecycle?: LifecycleOptions): Promise<Transition> {
    return this.transition(alias, (existing) => promote(existing, alias, target, at, graceMs, reason, lifecycle), at);
  }

  async rollback(alias: string, at: string, graceMs: number): Promise<Transition> {
    const deployments = await this.listDeployments();
    const deleted = (name: string): boolean => deployments.some((d) => d.deploymentName === name && d.deletedAt !== undefined);
    return this.transition(alias, (existing) => rollback(existing, alias, at, graceMs, deleted), at);
  }

  async scheduleDeletion(deploymentName: string, at: string, reason: string): Promise<void> {
    await this.updateDeployment(deploymentName, (r) => (r && !r.deletedAt ? { ...r, deleteAfter: at, deletedReason: reason, updatedAt: at } : undefined));
  }

  /** Records that a deployment is gone (deleted by the app, or found missing); closes its hosting period. */
  async markDeleted(deploymentName: string, at: string, reason: string): Promise<void> {
    await this.updateDeployment(deploymentName, (r) =>
      r && !r.deletedAt
        ? { ...r, deletedAt: at, deletedReason: reason, updatedAt: at, hosted: (r.hosted ?? []).map((h) => (h.to ? h : { ...h, to: at })) }
        : undefined,
    );
  }

  /** Records that a deployment exists again (re-created after Azure deleted it). */
  async markRecreated(deploymentName: string, at: string): Promise<void> {
    await this.updateDeployment(deploymentName, (r) => {
      if (!r) return undefined;
      const { deletedAt: _a, deletedReason: _b, deleteAfter: _c, ...rest } = r;
      const open = (r.hosted ?? []).some((h) => !h.to);
      return { ...rest, updatedAt: at, hosted: open ? r.hosted! : [...(r.hosted ?? []), { from: at }] };
    });
  }

  listUsage(): Promise<UsageStamp[]> {
    return listJson<UsageStamp>(this.runs, USAGE_PREFIX);
  }

  async writeUsage(stamp: UsageStamp): Promise<void> {
    await updateJson<UsageStamp>(this.runs, usageBlob(stamp.deploymentName), (current) => (current && current.lastUsedAt >= stamp.lastUsedAt ? undefined : stamp));
  }
}

export { AliasConflict };
