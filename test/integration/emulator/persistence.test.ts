/**
 * The emulator's state directory: files (with their bytes), jobs, fine-tuned models, deployments
 * and id generators survive a restart; a job keeps "training" on wall-clock time while it is down.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, RESOURCE_GROUP, TRAINING, armClient, deploymentBody, openaiClient, startTestEmulator, untilJob, uploadProcessed } from './helpers.js';
import { tempDir } from '../../support/temp-dir.js';

describe('emulator state on disk', () => {
  it('a restart keeps files, jobs, models and deployments; a job running at the stop finishes after it', async () => {
    const stateDir = tempDir('aoai-state-');
    let emulator = await startTestEmulator({ stateDir, jobSeconds: 3 });
    let client = openaiClient(emulator);
    const fileId = await uploadProcessed(client, TRAINING);
    const done = await client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: fileId, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 1 } } } });
    const finished = await untilJob(client, done.id, ['succeeded']);
    await armClient(emulator).deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'kept', deploymentBody(finished.fine_tuned_model as string), { updateIntervalInMs: 100 });
    const running = await client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: fileId, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 1 } } } });
    await untilJob(client, running.id, ['running']);
    await emulator.close();
    expect(readdirSync(path.join(stateDir, 'files'))).toContain(fileId);

    emulator = await startTestEmulator({ stateDir, jobSeconds: 3 });
    client = openaiClient(emulator);
    expect((await client.files.retrieve(fileId)).status).toBe('processed');
    expect(Buffer.from(await (await client.files.content(fileId)).arrayBuffer()).length).toBeGreaterThan(0);
    expect((await client.fineTuning.jobs.retrieve(done.id)).fine_tuned_model).toBe(finished.fine_tuned_model);
    expect((await untilJob(client, running.id, ['succeeded'])).status).toBe('succeeded');
    const deployment = await armClient(emulator).deployments.get(RESOURCE_GROUP, ACCOUNT, 'kept');
    expect(deployment.properties?.provisioningState).toBe('Succeeded');
    const chat = await client.chat.completions.create({ model: 'kept', messages: [{ role: 'user', content: 'hello' }] });
    expect(chat.model).toBe(finished.fine_tuned_model);
    // New ids continue the sequence instead of repeating ids handed out before the restart.
    const third = await client.fineTuning.jobs.create({ model: 'gpt-4o-mini-2024-07-18', training_file: fileId });
    expect([done.id, running.id]).not.toContain(third.id);
    await emulator.close();
  });

  it('refuses a state written with another seed, saying what to do', async () => {
    const stateDir = tempDir('aoai-state-');
    const first = await startTestEmulator({ stateDir, seed: 1 });
    await uploadProcessed(openaiClient(first), TRAINING);
    await first.close();
    await expect(startTestEmulator({ stateDir, seed: 2 })).rejects.toThrow(/written with seed 1, not 2; delete it or start with that seed/);
  });
});
