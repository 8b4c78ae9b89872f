import type { ContainerClient } from '@azure/storage-blob';
import { isNotFound } from '../azure/service-errors.js';
import { AliasStore } from '../aliases/alias-store.js';
import type { Registry } from './model-catalog.js';

/**
 * The recorded deployments and aliases; none when the runs container does not exist yet (no run
 * has finished). Unreadable records are skipped with a warning rather than failing every chat request.
 */
export async function loadRegistryOrNone(runs: ContainerClient): Promise<Registry> {
  const store = new AliasStore(runs);
  const warn = (blob: string, problem: string): void => console.warn(`ignoring registry record ${blob}: ${problem}`);
  try {
    const [deployments, aliases] = await Promise.all([store.listDeployments(warn), store.listAliases(warn)]);
    return { deployments, aliases };
  } catch (error) {
    if (isNotFound(error)) return { deployments: [], aliases: [] };
    throw error;
  }
}
