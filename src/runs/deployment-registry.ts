/**
 * The app's deployment registry: every deployment a run made (`runs/deployments/<name>.json`),
 * and the aliases that point at them (`runs/aliases/<alias>.json`, see aliases/alias-record.ts).
 * The chat endpoint resolves a request's `model` through it: an alias first, then a deployment
 * name. Every run gets its own deployment; a record's model never changes.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { AliasRecord } from '../aliases/alias-record.js';
import { InvalidRecordError, parseDeploymentRecord } from './run-record-schema.js';

export const DEPLOYMENTS_PREFIX = 'deployments/';
export const ALIASES_PREFIX = 'aliases/';
export const USAGE_PREFIX = 'usage/';

export interface DeploymentRecord {
  /** Azure OpenAI deployment name: one per run (see aliases/deployment-name.ts). */
  deploymentName: string;
  /** Dataset name (`<name>` of `<name>.jsonl`). */
  dataset: string;
  /** The fine-tuned model behind the deployment; never changes for a deployment name. */
  model: string;
  runId: string;
  updatedAt: string;
  /** The alias this run competed for. Absent on records written before aliases existed. */
  alias?: string;
  baseModel?: string;
  sku?: string;
  capacity?: number;
  createdAt?: string;
  /** Hosting periods (a deployment Azure deleted and the app re-created has two). */
  hosted?: Array<{ from: string; to?: string }>;
  /** Delete once this time has passed, unless an alias points at it again. */
  deleteAfter?: string;
  deletedAt?: string;
  deletedReason?: string;
  /** Last idle warning sent, by last-activity time, so each idle period is warned about once. */
  idleWarnedFor?: string;
}

export function deploymentBlob(deploymentName: string): string {
  return `${DEPLOYMENTS_PREFIX}${deploymentName}.json`;
}
export function aliasBlob(alias: string): string {
  return `${ALIASES_PREFIX}${alias}.json`;
}
export function usageBlob(deploymentName: string): string {
  return `${USAGE_PREFIX}${deploymentName}.json`;
}

export async function recordDeployment(runs: ContainerClient, record: DeploymentRecord): Promise<void> {
  const body = JSON.stringify(record, null, 2);
  await runs.getBlockBlobClient(deploymentBlob(record.deploymentName)).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
  });
}

/**
 * Every recorded deployment. A record that cannot be read as one (hand-edited, truncated) is
 * skipped and reported through `onInvalid`, so one bad blob cannot take every model offline.
 */
export async function listDeployments(
  runs: ContainerClient,
  onInvalid: (blobName: string, problem: string) => void = () => undefined,
): Promise<DeploymentRecord[]> {
  const records: DeploymentRecord[] = [];
  for await (const blob of runs.listBlobsFlat({ prefix: DEPLOYMENTS_PREFIX })) {
    if (!blob.name.endsWith('.json')) continue;
    const text = (await runs.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
    try {
      records.push(parseDeploymentRecord(text, blob.name));
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      onInvalid(blob.name, error.message.slice(blob.name.length + 2));
    }
  }
  return records;
}

/**
 * The deployment for a `model` name: an alias's current deployment, then a deployment by name,
 * then (for records written before aliases existed) a dataset name. Deleted deployments resolve
 * only through an alias (the chat endpoint re-creates them).
 */
export function resolveDeployment(records: readonly DeploymentRecord[], model: string, aliases: readonly AliasRecord[] = []): DeploymentRecord | undefined {
  const alias = aliases.find((a) => a.alias === model);
  if (alias) {
    const current = alias.current;
    return (
      records.find((r) => r.deploymentName === current.deploymentName) ?? {
        deploymentName: current.deploymentName,
        dataset: alias.alias,
        alias: alias.alias,
        model: current.model,
        runId: current.runId,
        updatedAt: current.since,
        ...(current.baseModel ? { baseModel: current.baseModel } : {}),
        ...(current.sku ? { sku: current.sku } : {}),
      }
    );
  }
  const live = records.filter((r) => !r.deletedAt);
  return live.find((r) => r.deploymentName === model) ?? live.find((r) => r.alias === undefined && r.dataset === model);
}
