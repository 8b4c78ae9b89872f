import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { isNotFound } from '../azure/service-errors.js';

/** An orchestration's status, or undefined when there is no such instance (the client throws on 404). */
export async function findOrchestration(client: DurableClient, instanceId: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: false });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
