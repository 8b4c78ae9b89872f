/**
 * Resolves a request's `model` (an alias or a deployment name) to a deployment through the
 * registry the pipeline writes. The registry is kept in memory for a short while so a chat
 * request does not list blobs every time; a name that is not in the cached copy triggers one
 * fresh read before the answer is "unknown model", so a deployment recorded a moment ago is
 * usable at once. During blue/green switches a stale copy still routes to the previous
 * deployment, which is kept for the grace period, so a request never lands on nothing.
 */
import type { AliasRecord } from '../aliases/alias-record.js';
import { resolveDeployment, type DeploymentRecord } from '../runs/deployment-registry.js';

export const CATALOG_TTL_MS = 30_000;

export interface Registry {
  deployments: readonly DeploymentRecord[];
  aliases: readonly AliasRecord[];
}

export type Resolution = { record: DeploymentRecord; viaAlias: boolean } | { record: undefined; known: Registry };

export class ModelCatalog {
  #registry: Registry | undefined;
  #loadedAt = 0;
  #loading: Promise<Registry> | undefined;

  constructor(
    private readonly load: () => Promise<Registry>,
    private readonly ttlMs = CATALOG_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** `fresh`: read the registry now whatever the cache holds (after a deployment went missing). */
  async resolve(model: string, options: { fresh?: boolean } = {}): Promise<Resolution> {
    const cached = !options.fresh && this.#registry !== undefined && this.now() - this.#loadedAt < this.ttlMs;
    let registry = cached ? this.#registry! : await this.#refresh();
    let record = resolveDeployment(registry.deployments, model, registry.aliases);
    if (!record && cached) {
      registry = await this.#refresh();
      record = resolveDeployment(registry.deployments, model, registry.aliases);
    }
    return record ? { record, viaAlias: registry.aliases.some((a) => a.alias === model) } : { record: undefined, known: registry };
  }

  /** One read at a time: concurrent misses share it rather than each listing the container. */
  #refresh(): Promise<Registry> {
    this.#loading ??= this.load()
      .then((registry) => {
        this.#registry = registry;
        this.#loadedAt = this.now();
        return registry;
      })
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }
}

/** The names a caller may use, for the "unknown model" message: aliases and live deployments. */
export function knownModelNames(registry: Registry, max = 20): string {
  const live = registry.deployments.filter((r) => !r.deletedAt);
  const names = [...new Set([...registry.aliases.map((a) => a.alias), ...live.filter((r) => r.alias === undefined).map((r) => r.dataset), ...live.map((r) => r.deploymentName)])].sort();
  if (names.length === 0) return 'none yet (a model appears here once a fine-tuning run has succeeded)';
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}
