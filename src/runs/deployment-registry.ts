/**
 * Which model answers for which name. After a successful run the pipeline records its deployment
 * here; the chat endpoint resolves a request's `model` — a dataset name (the alias) or a deployment
 * name — through it. One small JSON blob per deployment: `runs/deployments/<deploymentName>.json`.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { InvalidRecordError, parseDeploymentRecord } from './run-record-schema.js';

export const DEPLOYMENTS_PREFIX = 'deployments/';

export interface DeploymentRecord {
  /** Azure OpenAI deployment name (stable per dataset unless the options name another). */
  deploymentName: string;
  /** Dataset name (`<name>` of `<name>.jsonl`): the alias clients may use as `model`. */
  dataset: string;
  /** The fine-tuned model behind the deployment now. */
  model: string;
  runId: string;
  updatedAt: string;
}

export async function recordDeployment(runs: ContainerClient, record: DeploymentRecord): Promise<void> {
  const body = JSON.stringify(record, null, 2);
  await runs.getBlockBlobClient(`${DEPLOYMENTS_PREFIX}${record.deploymentName}.json`).upload(body, Buffer.byteLength(body), {
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

/** The deployment for a `model` name: a deployment name first, then a dataset alias. */
export function resolveDeployment(records: readonly DeploymentRecord[], model: string): DeploymentRecord | undefined {
  return records.find((r) => r.deploymentName === model) ?? records.find((r) => r.dataset === model);
}
