/**
 * Which drop-zone blob a storage event is about (pure). The drop function is an Event Grid trigger
 * (functions/dataset-dropped.ts), so nothing but the event reaches it: the blob's name comes from
 * the event, never from a binding. An Event Grid trigger names no container — in Azure the event
 * subscription's subject filter decides what is delivered (infra/hooks/postdeploy.*) — so the
 * container is checked here, and anything else is ignored with a reason the caller logs.
 *
 * Event shape: "Azure Blob Storage as an Event Grid source"
 * (https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage): `subject` is
 * `/blobServices/default/containers/<container>/blobs/<blob path>`, `data.url` the blob's URL
 * (`https://<account>.blob.core.windows.net/<container>/<percent-encoded path>`). Both the Event
 * Grid schema (`eventType`) and the CloudEvents 1.0 schema (`type`) are read.
 */
export const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';

export interface StorageEvent {
  eventType?: unknown;
  type?: unknown;
  subject?: unknown;
  data?: unknown;
}

export type DropEvent = { kind: 'blob'; name: string } | { kind: 'ignored'; reason: string };

const SUBJECT = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;

/** The blob name in `container` the event is about, or why the event is not a drop. */
export function dropOfEvent(event: StorageEvent, container: string): DropEvent {
  const type = typeof event.eventType === 'string' ? event.eventType : typeof event.type === 'string' ? event.type : '';
  if (type !== BLOB_CREATED) return { kind: 'ignored', reason: `event type '${type || '(none)'}' is not ${BLOB_CREATED}` };
  const located = fromSubject(event.subject) ?? fromUrl((event.data as { url?: unknown } | undefined)?.url);
  if (!located) return { kind: 'ignored', reason: `the event names no blob (subject '${String(event.subject ?? '')}')` };
  if (located.container !== container) {
    return { kind: 'ignored', reason: `blob '${located.name}' is in container '${located.container}', not the drop zone '${container}'` };
  }
  return { kind: 'blob', name: located.name };
}

function fromSubject(subject: unknown): { container: string; name: string } | undefined {
  if (typeof subject !== 'string') return undefined;
  const match = SUBJECT.exec(subject);
  return match ? { container: match[1]!, name: match[2]! } : undefined;
}

function fromUrl(url: unknown): { container: string; name: string } | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const path = new URL(url).pathname;
    // Azurite and other emulators put the account name first: /<account>/<container>/<blob>.
    const parts = path.split('/').slice(1);
    const local = /^(127\.0\.0\.1|localhost)$/.test(new URL(url).hostname);
    const [container, ...rest] = local ? parts.slice(1) : parts;
    if (!container || rest.length === 0) return undefined;
    return { container, name: decodeURIComponent(rest.join('/')) };
  } catch {
    return undefined;
  }
}
