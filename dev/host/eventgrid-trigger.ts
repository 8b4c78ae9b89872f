import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWebhookAuthorized, presentedKey, type HostKeys } from './auth.js';
import { Invoker, triggerBindingOf } from './invoker.js';
import { readBody } from './request-limits.js';

/** The real host's name for the Event Grid extension's system key. */
export const EVENTGRID_EXTENSION = 'eventgrid_extension';
const webhookPath = '/runtime/webhooks/eventgrid';

/**
 * Event Grid triggers (`app.eventGrid`): the Event Grid extension's endpoint,
 * `/runtime/webhooks/eventgrid?functionName=<name>`. It answers the SubscriptionValidation
 * handshake and runs the function once per event in the posted array, with the event itself as
 * the trigger value — no blob content is read, so memory does not grow with what the event is
 * about. A failed invocation answers 500, which Event Grid retries on its schedule.
 */
export class EventGridTriggers {
  readonly #invoker: Invoker;
  readonly #keys: HostKeys;
  readonly names: string[];

  constructor(invoker: Invoker, keys: HostKeys) {
    this.#invoker = invoker;
    this.#keys = keys;
    this.names = [...invoker.functions.values()].filter((fn) => triggerBindingOf(fn)[1].type?.toLowerCase() === 'eventgridtrigger').map((fn) => fn.metadata.name);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname.replace(/\/+$/, '').toLowerCase() !== webhookPath) return false;
    if (!isWebhookAuthorized(this.#keys, EVENTGRID_EXTENSION, presentedKey(req, url))) {
      req.resume();
      res.writeHead(401).end();
      return true;
    }
    const wanted = (url.searchParams.get('functionName') ?? '').toLowerCase();
    const name = this.names.find((n) => n.toLowerCase() === wanted);
    if (req.method !== 'POST' || !name) {
      req.resume();
      res.writeHead(404).end();
      return true;
    }
    let events: Record<string, unknown>[];
    try {
      const parsed = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown> | Record<string, unknown>[];
      events = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      res.writeHead(400).end('The request body is not JSON.');
      return true;
    }
    const validation = events.find((e) => e['eventType'] === 'Microsoft.EventGrid.SubscriptionValidationEvent');
    if (req.headers['aeg-event-type'] === 'SubscriptionValidation' || validation) {
      const code = (validation?.['data'] as { validationCode?: string } | undefined)?.validationCode;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ validationResponse: code }));
      return true;
    }
    for (const event of events) {
      try {
        await this.#invoker.invoke({
          functionName: name,
          reason: `EventGrid trigger fired at ${new Date().toISOString()}`,
          trigger: { json: JSON.stringify(event) },
          bindingData: { data: event['data'], subject: event['subject'], eventType: event['eventType'], id: event['id'] },
        });
      } catch {
        res.writeHead(500).end();
        return true;
      }
    }
    res.writeHead(202).end();
    return true;
  }
}
