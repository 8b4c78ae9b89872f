/**
 * Resolves a request's `model` (dataset alias or deployment name) to a deployment through the
 * registry the pipeline writes. The list is kept in memory for a short while so a chat request
 * does not list blobs every time; a name that is not in the cached list triggers one fresh read
 * before the answer is "unknown model", so a deployment recorded a moment ago is usable at once.
 */
import { resolveDeployment, type DeploymentRecord } from '../runs/deployment-registry.js';

export const CATALOG_TTL_MS = 30_000;

export type Resolution = { record: DeploymentRecord } | { record: undefined; known: readonly DeploymentRecord[] };

export class ModelCatalog {
  #records: readonly DeploymentRecord[] | undefined;
  #loadedAt = 0;
  #loading: Promise<readonly DeploymentRecord[]> | undefined;

  constructor(
    private readonly load: () => Promise<readonly DeploymentRecord[]>,
    private readonly ttlMs = CATALOG_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(model: string): Promise<Resolution> {
    const fresh = this.#records !== undefined && this.now() - this.#loadedAt < this.ttlMs;
    let records = fresh ? this.#records! : await this.#refresh();
    let record = resolveDeployment(records, model);
    if (!record && fresh) {
      records = await this.#refresh();
      record = resolveDeployment(records, model);
    }
    return record ? { record } : { record: undefined, known: records };
  }

  /** One read at a time: concurrent misses share it rather than each listing the container. */
  #refresh(): Promise<readonly DeploymentRecord[]> {
    this.#loading ??= this.load()
      .then((records) => {
        this.#records = records;
        this.#loadedAt = this.now();
        return records;
      })
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }
}

/** The names a caller may use, for the "unknown model" message: aliases first, then deployments. */
export function knownModelNames(records: readonly DeploymentRecord[], max = 20): string {
  const names = [...new Set([...records.map((r) => r.dataset), ...records.map((r) => r.deploymentName)])].sort();
  if (names.length === 0) return 'none yet (a model appears here once a fine-tuning run has succeeded)';
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}
