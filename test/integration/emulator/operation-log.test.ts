import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../dev/aoai-emulator/index.js';
import { ACCOUNT, armClient, BASE_MODEL, deploymentBody, failure, RESOURCE_GROUP, startTestEmulator } from './helpers.js';

describe('emulator operation log (/__emulator/operations)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ deploySeconds: 0.1 });
  });
  afterAll(async () => emulator?.close());

  it('records every ARM write, accepted or refused, as Activity Log entries; reads are not logged', async () => {
    const arm = armClient(emulator);
    await arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'logged', deploymentBody(BASE_MODEL, '2024-07-18'), { updateIntervalInMs: 20 });
    await arm.deployments.get(RESOURCE_GROUP, ACCOUNT, 'logged');
    expect((await failure(arm.deployments.beginCreateOrUpdate(RESOURCE_GROUP, ACCOUNT, '-bad', deploymentBody(BASE_MODEL)))).statusCode).toBe(400);
    await arm.deployments.beginDeleteAndWait(RESOURCE_GROUP, ACCOUNT, 'logged', { updateIntervalInMs: 20 });

    const response = await fetch(`${emulator.url}/__emulator/operations`);
    expect(response.status).toBe(200);
    const { value } = (await response.json()) as { value: Array<Record<string, unknown>> };
    expect(value.map((e) => [e['operationName'], String(e['resourceId']).split('/').at(-1), e['status'], e['httpStatusCode'], e['errorCode'] ?? null])).toEqual([
      ['Microsoft.CognitiveServices/accounts/deployments/write', 'logged', 'Accepted', 201, null],
      ['Microsoft.CognitiveServices/accounts/deployments/write', '-bad', 'Failed', 400, 'InvalidResourceName'],
      ['Microsoft.CognitiveServices/accounts/deployments/delete', 'logged', 'Accepted', 202, null],
    ]);
    expect(value[0]).toMatchObject({ httpRequest: { method: 'PUT' }, properties: { model: BASE_MODEL, modelVersion: '2024-07-18', sku: 'Standard' } });
    expect(Date.parse(String(value[0]!['eventTimestamp']))).toBeGreaterThan(0);
    expect((await fetch(`${emulator.url}/__emulator/operations`, { method: 'DELETE' })).status).toBe(405);
  });
});
