import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWebhookAuthorized, presentedKey, type HostKeys } from './auth.js';
import type { BlobTriggers } from './blob-trigger.js';
import type { HostLogger } from './logger.js';
import { readBody } from './request-limits.js';

/** The real host's name for the blob extension's system key (the `code=` of the subscription URL). */
export const BLOBS_EXTENSION = 'blobs_extension';

const webhookPath = '/runtime/webhooks/blobs';

interface EventGridEvent {
  eventType?: string;
  subject?: string;
  data?: { url?: string; validationCode?: string };
}

/** Container and blob name from a BlobCreated subject: `/blobServices/default/containers/<c>/blobs/<name>`. */
function blobFromEvent(event: EventGridEvent): { container: string; blobName: string } | undefined {
  const subject = /\/containers\/([^/]+)\/blobs\/(.+)$/.exec(event.subject ?? '');
  if (subject) return { container: subject[1]!, blobName: subject[2]! };
  if (!event.data?.url) return undefined;
  const parts = new URL(event.data.url).pathname.split('/').filter(Boolean).map(decodeURIComponent);
  // Path-style (Azurite) URLs carry the account name first.
  const offset = parts.length > 2 && parts[0] === 'devstoreaccount1' ? 1 : 0;
  return { container: parts[offset]!, blobName: parts.slice(offset + 1).join('/') };
}

/**
 * The blob extension's Event Grid endpoint, `/runtime/webhooks/blobs?functionName=Host.Functions.<name>`:
 * answers the SubscriptionValidation handshake and turns `Microsoft.Storage.BlobCreated` events into
 * blob-trigger work (accepted with 202, processed in the background like the real host, which
 * queues it). Every delivery runs the function: Event Grid is at-least-once and the extension
 * does not deduplicate EventGrid-sourced blobs, so duplicates reach the app as they would in Azure.
 */
export class EventGridWebhook {
  readonly #blobTriggers: BlobTriggers;
  readonly #logger: HostLogger;
  readonly #keys: HostKeys;

  constructor(blobTriggers: BlobTriggers, logger: HostLogger, keys: HostKeys) {
    this.#blobTriggers = blobTriggers;
    this.#logger = logger;
    this.#keys = keys;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname.replace(/\/+$/, '') !== webhookPath) return false;
    if (!isWebhookAuthorized(this.#keys, BLOBS_EXTENSION, presentedKey(req, url))) {
      req.resume();
      res.writeHead(401).end();
      return true;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(404).end();
      return true;
    }
    const functionName = (url.searchParams.get('functionName') ?? '').replace(/^Host\.Functions\./i, '');
    const fn = this.#blobTriggers.find(functionName);
    if (!fn) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`No blob trigger function named '${functionName}'.`);
      return true;
    }
    const body = await readBody(req);
    let events: EventGridEvent[];
    try {
      const parsed = JSON.parse(body.toString('utf8')) as EventGridEvent | EventGridEvent[];
      events = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      res.writeHead(400).end('The request body is not JSON.');
      return true;
    }
    const eventTypeHeader = String(req.headers['aeg-event-type'] ?? '');
    const validation = events.find((e) => e.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent');
    if (eventTypeHeader === 'SubscriptionValidation' || validation) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ validationResponse: validation?.data?.validationCode }));
      return true;
    }
    for (const event of events) {
      if (event.eventType !== 'Microsoft.Storage.BlobCreated') continue;
      const target = blobFromEvent(event);
      if (!target || target.container !== fn.container) {
        this.#logger.warn(`Event Grid event for '${event.subject}' does not match '${fn.name}' (container ${fn.container}).`);
        continue;
      }
      void this.#blobTriggers.enqueueEvent(fn, target.blobName);
    }
    res.writeHead(202).end();
    return true;
  }
}
