/** Helpers for the quota end-to-end tests: the emulator's operation log, live deployments, filling the resource by hand. */
import { expect } from 'vitest';
import { ACCOUNT, RESOURCE_GROUP, type PipelineStack, type RunView } from './pipeline-stack.js';
import { waitFor } from './wait.js';

export interface Operation {
  operationName: string;
  resourceId: string;
  status: string;
  errorCode?: string;
  properties: { model?: string };
}

export async function operations(stack: PipelineStack): Promise<Operation[]> {
  return ((await (await fetch(`${stack.emulator.url}/__emulator/operations`)).json()) as { value: Operation[] }).value;
}

export async function liveNames(stack: PipelineStack): Promise<string[]> {
  const names: string[] = [];
  for await (const d of stack.arm.deployments.list(RESOURCE_GROUP, ACCOUNT)) names.push(d.name!);
  return names;
}

/** Deployments made behind the app's back (not in its registry): the app must never evict them. */
export async function fillByHand(stack: PipelineStack, model: string, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `byhand-${i}`);
  for (const name of names) {
    await stack.arm.deployments.beginCreateOrUpdateAndWait(
      RESOURCE_GROUP,
      ACCOUNT,
      name,
      { sku: { name: 'Standard', capacity: 1 }, properties: { model: { format: 'OpenAI', name: model, version: '1' } } },
      { updateIntervalInMs: 100 },
    );
  }
  return names;
}

export function noModelChanges(ops: Operation[]): void {
  const models = new Map<string, Set<string>>();
  for (const w of ops.filter((o) => o.operationName === 'Microsoft.CognitiveServices/accounts/deployments/write' && o.status === 'Accepted')) {
    const key = w.resourceId.toLowerCase();
    models.set(key, (models.get(key) ?? new Set()).add(w.properties.model ?? '?'));
  }
  for (const [deployment, set] of models) expect([...set], deployment).toHaveLength(1);
}


/** The newest run of `dataset` once it has been notified `run.waiting_for_capacity`. */
export function untilWaitingForCapacity(stack: PipelineStack, dataset: string, timeoutMs: number): Promise<RunView> {
  return waitFor(
    async () => {
      const { runs } = (await (await fetch(`${stack.host.url}/api/runs?dataset=${encodeURIComponent(dataset)}`)).json()) as { runs: Array<{ runId: string }> };
      const runId = runs[0]?.runId;
      if (!runId) return undefined;
      return (await stack.queued(runId)).some((e) => e.type === 'run.waiting_for_capacity') ? stack.run(runId) : undefined;
    },
    `a run of ${dataset} to wait for deployment capacity`,
    timeoutMs,
    300,
  );
}
