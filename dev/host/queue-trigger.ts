import type { DequeuedMessageItem } from '@azure/storage-queue';
import { resolveAppSettings } from './binding-expressions.js';
import { Invoker, triggerBindingOf } from './invoker.js';
import type { HostLogger } from './logger.js';
import { decodeQueueMessage, storageFor } from './storage.js';

export interface QueueTriggerOptions {
  pollIntervalMs: number;
  /** Dequeues before a message moves to `<queue>-poison` (host.json queues.maxDequeueCount, default 5). */
  maxDequeueCount?: number;
  /**
   * Realistic latency: an idle poller doubles its interval up to this (host.json
   * queues.maxPollingInterval, default 1 min) and snaps back when a message arrives, as the
   * queue listener's random exponential back-off does. Unset: a fixed interval.
   */
  maxPollingIntervalMs?: number;
}

interface QueueFunction {
  name: string;
  queueName: string;
  connection: string | undefined;
}

/**
 * Storage queue triggers: poll, invoke with the (base64-decoded) message, delete on success, leave
 * it to reappear on failure, and move it to `<queue>-poison` after too many dequeues.
 */
export class QueueTriggers {
  readonly #invoker: Invoker;
  readonly #logger: HostLogger;
  readonly #options: QueueTriggerOptions;
  readonly #functions: QueueFunction[] = [];
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #stopped = false;

  constructor(invoker: Invoker, logger: HostLogger, options: QueueTriggerOptions) {
    this.#invoker = invoker;
    this.#logger = logger;
    this.#options = options;
    for (const fn of invoker.functions.values()) {
      const [, trigger] = triggerBindingOf(fn);
      if (trigger.type?.toLowerCase() !== 'queuetrigger') continue;
      this.#functions.push({
        name: fn.metadata.name,
        queueName: resolveAppSettings(String(trigger['queueName'])).toLowerCase(),
        connection: typeof trigger['connection'] === 'string' ? trigger['connection'] : undefined,
      });
    }
  }

  start(): void {
    if (!this.#functions.length) return;
    let interval = this.#options.pollIntervalMs;
    const tick = (): void => {
      this.#current = this.#pollAll().then((found) => {
        const max = this.#options.maxPollingIntervalMs;
        interval = max === undefined || found ? this.#options.pollIntervalMs : Math.min(interval * 2, max);
        if (!this.#stopped) this.#timer = setTimeout(tick, max === undefined ? interval : interval * (0.8 + Math.random() * 0.4));
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#current;
  }

  /** Polls every queue once; true if any message was found. */
  async #pollAll(): Promise<boolean> {
    let found = false;
    for (const fn of this.#functions) {
      try {
        found = (await this.#poll(fn)) || found;
      } catch (error) {
        this.#logger.warn(`Polling queue '${fn.queueName}' for '${fn.name}' failed: ${(error as Error).message}`);
      }
    }
    return found;
  }

  async #poll(fn: QueueFunction): Promise<boolean> {
    const queues = storageFor(fn.connection).queues;
    const queue = queues.getQueueClient(fn.queueName);
    await queue.createIfNotExists();
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 30 });
    for (const message of receivedMessageItems) {
      if (this.#stopped) return true;
      const maxDequeue = this.#options.maxDequeueCount ?? 5;
      if (message.dequeueCount > maxDequeue) {
        const poison = queues.getQueueClient(`${fn.queueName}-poison`);
        await poison.createIfNotExists();
        await poison.sendMessage(message.messageText);
        await queue.deleteMessage(message.messageId, message.popReceipt);
        this.#logger.warn(`Message ${message.messageId} moved to '${fn.queueName}-poison' after ${message.dequeueCount - 1} failed attempts.`);
        continue;
      }
      if (await this.#invoke(fn, message)) await queue.deleteMessage(message.messageId, message.popReceipt);
      else await queue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
    }
    return receivedMessageItems.length > 0;
  }

  async #invoke(fn: QueueFunction, message: DequeuedMessageItem): Promise<boolean> {
    const text = decodeQueueMessage(message.messageText);
    try {
      await this.#invoker.invoke({
        functionName: fn.name,
        reason: `New queue message detected on '${fn.queueName}'.`,
        trigger: { string: text },
        triggerMetadata: {
          Id: { string: message.messageId },
          DequeueCount: { int: message.dequeueCount },
          InsertionTime: { string: message.insertedOn.toISOString() },
          ExpirationTime: { string: message.expiresOn.toISOString() },
          NextVisibleTime: { string: message.nextVisibleOn.toISOString() },
          PopReceipt: { string: message.popReceipt },
        },
        bindingData: { queueTrigger: text, id: message.messageId },
      });
      return true;
    } catch {
      return false;
    }
  }
}
