import type { ContainerClient } from '@azure/storage-blob';
import { isNotFound } from '../azure/service-errors.js';
import { listDeployments, type DeploymentRecord } from '../runs/deployment-registry.js';

/**
 * The recorded deployments; none when the runs container does not exist yet (no run has finished).
 * Unreadable records are skipped with a warning rather than failing every chat request.
 */
export async function listDeploymentsOrNone(runs: ContainerClient): Promise<DeploymentRecord[]> {
  try {
    return await listDeployments(runs, (blob, problem) => console.warn(`ignoring deployment record ${blob}: ${problem}`));
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}
