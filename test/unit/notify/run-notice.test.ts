import type { QueueClient } from '@azure/storage-queue';
import { describe, expect, it, vi } from 'vitest';
import { publishRunNotice } from '../../../src/notify/publish.js';
import type { RunRecord } from '../../../src/runs/run-record.js';
import type { RunStore } from '../../../src/runs/run-store.js';

const at = '2026-12-07T10:00:00.000Z';

function queue(): { events: QueueClient; sent: Array<{ id: string; status: string }> } {
  const sent: Array<{ id: string; status: string }> = [];
  const events = { createIfNotExists: async () => ({}), sendMessage: async (text: string) => void sent.push(JSON.parse(text) as { id: string; status: string }) };
  return { events: events as unknown as QueueClient, sent };
}

describe('publishRunNotice (alias and deployment events outside an orchestration)', () => {
  it("sends the event with the run's status and a repeatable id, and records it on the run", async () => {
    const { events, sent } = queue();
    let recorded: RunRecord | undefined;
    const run = { runId: 'r1', dataset: 'd', status: 'not_promoted', notifications: [] } as unknown as RunRecord;
    const store = { get: async () => run, update: async (_id: string, change: (r: RunRecord) => RunRecord) => (recorded = change(run)) } as unknown as RunStore;
    await publishRunNotice('alias.promoted', { runId: 'r1', dataset: 'd' }, { alias: 'd' }, at, at, { events, webhook: {}, store, log: () => undefined });
    expect(sent).toEqual([expect.objectContaining({ id: `r1:alias.promoted:${at}`, status: 'not_promoted' })]);
    expect(recorded?.notifications).toEqual([{ id: `r1:alias.promoted:${at}`, type: 'alias.promoted', webhook: 'not configured', at: expect.any(String) }]);
  });

  it('still sends the event when the run record is unreadable, and does not try to record it there', async () => {
    const { events, sent } = queue();
    const update = vi.fn();
    const store = { get: async () => Promise.reject(new Error('r2/run.json: missing inputs')), update } as unknown as RunStore;
    const log: string[] = [];
    await publishRunNotice('deployment.recreated', { runId: 'r2', dataset: 'd' }, { deployment: 'x' }, at, at, { events, webhook: {}, store, log: (l) => log.push(l) });
    expect(sent.map((e) => e.id)).toEqual([`r2:deployment.recreated:${at}`]);
    expect(update).not.toHaveBeenCalled();
    expect(log.join('\n')).toContain('its record is unreadable (r2/run.json: missing inputs)');
  });

  it('does not fail the caller when the notice cannot be recorded on the run (the message is sent)', async () => {
    const { events, sent } = queue();
    const run = { runId: 'r3', dataset: 'd', status: 'succeeded', notifications: [] } as unknown as RunRecord;
    const store = { get: async () => run, update: async () => Promise.reject(new Error('412 ConditionNotMet after 5 tries')) } as unknown as RunStore;
    const log: string[] = [];
    await expect(publishRunNotice('alias.rolled_back', { runId: 'r3', dataset: 'd' }, {}, at, at, { events, webhook: {}, store, log: (l) => log.push(l) })).resolves.toBeUndefined();
    expect(sent.map((e) => e.id)).toEqual([`r3:alias.rolled_back:${at}`]);
    expect(log.join('\n')).toContain('not recorded on run r3: 412 ConditionNotMet after 5 tries');
  });
});
