import { describe, expect, it } from 'vitest';
import { dropOfEvent } from '../../../src/intake/drop-event.js';

const created = (subject: string, url = ''): Record<string, unknown> => ({
  id: 'e1',
  eventType: 'Microsoft.Storage.BlobCreated',
  subject,
  data: { url, contentLength: 10 },
});

describe('dropOfEvent: the drop-zone blob a BlobCreated event is about', () => {
  it('takes the blob name (with folders and spaces) from the subject', () => {
    expect(dropOfEvent(created('/blobServices/default/containers/datasets/blobs/team/Team Sarcasm.jsonl'), 'datasets')).toEqual({
      kind: 'blob',
      name: 'team/Team Sarcasm.jsonl',
    });
  });

  it('falls back to the percent-encoded URL (Azure and Azurite shapes) when the subject is missing', () => {
    expect(dropOfEvent(created('', 'https://acct.blob.core.windows.net/datasets/team/Team%20Sarcasm.jsonl'), 'datasets')).toEqual({ kind: 'blob', name: 'team/Team Sarcasm.jsonl' });
    expect(dropOfEvent(created('', 'http://127.0.0.1:10000/devstoreaccount1/datasets/a%2Fb.jsonl'), 'datasets')).toEqual({ kind: 'blob', name: 'a/b.jsonl' });
  });

  it('reads the CloudEvents schema too (`type` instead of `eventType`)', () => {
    const event = { type: 'Microsoft.Storage.BlobCreated', subject: '/blobServices/default/containers/datasets/blobs/x.jsonl' };
    expect(dropOfEvent(event, 'datasets')).toEqual({ kind: 'blob', name: 'x.jsonl' });
  });

  it('ignores, with a reason, events for other containers, other event types and events that name no blob', () => {
    expect(dropOfEvent(created('/blobServices/default/containers/runs/blobs/r/run.json'), 'datasets')).toEqual({
      kind: 'ignored',
      reason: "blob 'r/run.json' is in container 'runs', not the drop zone 'datasets'",
    });
    expect(dropOfEvent({ ...created('/blobServices/default/containers/datasets/blobs/x.jsonl'), eventType: 'Microsoft.Storage.BlobDeleted' }, 'datasets')).toEqual({
      kind: 'ignored',
      reason: "event type 'Microsoft.Storage.BlobDeleted' is not Microsoft.Storage.BlobCreated",
    });
    expect(dropOfEvent(created('/blobServices/default/containers/datasets'), 'datasets').kind).toBe('ignored');
    expect(dropOfEvent({}, 'datasets')).toEqual({ kind: 'ignored', reason: "event type '(none)' is not Microsoft.Storage.BlobCreated" });
  });
});
