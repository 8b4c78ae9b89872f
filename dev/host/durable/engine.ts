import { setTimeout as sleep } from 'node:timers/promises';
import type { Invoker } from '../invoker.js';
import { debugOf, type HostLogger } from '../logger.js';
import { runActivity } from './activities.js';
import {
  applyOrchestratorState,
  beginEpisode,
  failOrchestration,
  isActive,
  newInstanceDoc,
  orchestrationTriggerPayload,
  parseOrchestratorFailure,
  terminateOrchestration,
  type OrchestratorStateJson,
} from './executor-driver.js';
import { EventType, historyEvent, toJsonText, type HistoryEvent } from './history.js';
import type { InstanceDoc, InstanceStore, ScheduledTask } from './store.js';
import { TimerWheel } from './timers.js';
import { PollingLatency, Semaphore } from './work-limits.js';

/** host.json durableTask limits, and the optional realistic pick-up latency. */
export interface DurableLimits {
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  /** When set, activities and timers are picked up after a back-off delay of up to this many ms. */
  pollingLatencyMaxMs?: number | undefined;
}

export const defaultDurableLimits: DurableLimits = { maxConcurrentActivityFunctions: 10, maxConcurrentOrchestratorFunctions: 10 };

export type EventOutcome = 'accepted' | 'notFound' | 'gone';

/**
 * The local stand-in for the Durable Task framework: keeps each instance's state in the store,
 * replays orchestrators one event at a time through durable-functions' executor, runs activities,
 * fires durable timers and links sub-orchestrations to their parents. Every change is saved before
 * its side effects start, so a restarted host resumes from storage and never re-runs a completed
 * activity.
 */
export class DurableEngine {
  readonly #store: InstanceStore;
  readonly #invoker: Invoker;
  readonly #logger: HostLogger;
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #running = new Set<string>();
  readonly #timers = new TimerWheel();
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopped = false;

  readonly #activitySlots: Semaphore;
  readonly #orchestratorSlots: Semaphore;
  readonly #latency: PollingLatency | undefined;

  constructor(store: InstanceStore, invoker: Invoker, logger: HostLogger, limits: DurableLimits = defaultDurableLimits) {
    this.#store = store;
    this.#invoker = invoker;
    this.#logger = logger;
    this.#activitySlots = new Semaphore(limits.maxConcurrentActivityFunctions);
    this.#orchestratorSlots = new Semaphore(limits.maxConcurrentOrchestratorFunctions);
    this.#latency = limits.pollingLatencyMaxMs === undefined ? undefined : new PollingLatency(limits.pollingLatencyMaxMs);
  }

  get store(): InstanceStore {
    return this.#store;
  }

  /** Resumes every unfinished instance found in storage. */
  async start(): Promise<void> {
    for (const doc of await this.#store.list()) {
      if (isActive(doc)) this.#kick(doc.instanceId);
      else if (doc.parent) this.#track(this.#persistently(`notifying the parent of ${doc.instanceId}`, () => this.#notifyParent(doc)));
    }
  }

  /** Stops firing timers and taking new work, then waits for running activities to be recorded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timers.clear();
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  isOrchestrator(name: string): boolean {
    const fn = this.#invoker.functions.get(name);
    return Boolean(fn && Object.values(fn.metadata.bindings).some((b) => b.type === 'orchestrationTrigger'));
  }

  /** Creates (or replaces a finished) instance; false if an instance with this id is still running. */
  async startNew(name: string, instanceId: string, input: unknown): Promise<boolean> {
    const created = await this.#withLock(instanceId, async () => {
      const existing = await this.#store.get(instanceId);
      if (existing && isActive(existing.doc)) return false;
      await this.#store.save(newInstanceDoc(name, instanceId, input), existing?.etag);
      return true;
    });
    if (created) this.#kick(instanceId);
    return created;
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<EventOutcome> {
    return this.#process(instanceId, (doc) => {
      doc.inbox.push(historyEvent(EventType.EventRaised, { Name: eventName, Input: toJsonText(data) }));
      return true;
    });
  }

  async terminate(instanceId: string, reason: string): Promise<EventOutcome> {
    return this.#process(instanceId, (doc) => {
      terminateOrchestration(doc, reason);
      return true;
    });
  }

  #track<T>(promise: Promise<T>): void {
    const tracked = promise.catch((error: unknown) => this.#logger.error(`Durable engine error: ${String((error as Error)?.stack ?? error)}`));
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** The backend's queue pick-up delay, when realistic latency is on. */
  async #pickUp(): Promise<void> {
    await this.#latency?.wait();
  }

  #kick(instanceId: string): void {
    this.#track(this.#persistently(`resuming ${instanceId}`, () => this.#process(instanceId, () => false)));
  }

  /**
   * Storage being away (Azurite stopped, a network blip) must not lose a task's outcome or leave an
   * instance unprocessed: like the Durable extension's backend, which keeps polling its queues,
   * work is retried with back-off (up to 15 s apart) until storage answers or the host stops.
   * Answers that are not about availability (a 4xx such as a conflict) still fail at once.
   */
  async #persistently<T>(what: string, work: () => Promise<T>): Promise<T> {
    for (let delay = 500; ; delay = Math.min(delay * 2, 15_000)) {
      try {
        return await work();
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (this.#stopped || (status !== undefined && status >= 400 && status < 500)) throw error;
        this.#logger.warn(`Durable: storage unavailable while ${what} (${(error as Error).message.split('\n')[0]}); retrying in ${delay / 1000} s.`);
        await sleep(delay);
      }
    }
  }

  async #withLock<T>(instanceId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(instanceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.#locks.set(instanceId, next);
    try {
      return await next;
    } finally {
      if (this.#locks.get(instanceId) === next) this.#locks.delete(instanceId);
    }
  }

  /**
   * Under the instance's lock: apply `change` (which returns whether it changed anything), then
   * replay every inbox event, saving after each episode. Side effects start after the lock is
   * released so a parent and child never wait on each other.
   */
  async #process(instanceId: string, change: (doc: InstanceDoc) => boolean): Promise<EventOutcome> {
    let outcome: EventOutcome = 'accepted';
    const doc = await this.#withLock(instanceId, async () => {
      const stored = await this.#store.get(instanceId);
      if (!stored) {
        outcome = 'notFound';
        return undefined;
      }
      const { doc } = stored;
      let { etag } = stored;
      if (!isActive(doc)) {
        outcome = 'gone';
        return undefined;
      }
      if (change(doc)) etag = await this.#store.save(doc, etag);
      while (doc.inbox.length && isActive(doc) && !this.#stopped) {
        await this.#episode(doc);
        etag = await this.#store.save(doc, etag);
      }
      return doc;
    });
    if (doc && !this.#stopped) {
      this.#startWork(doc);
      if (!isActive(doc) && doc.parent) await this.#persistently(`notifying the parent of ${doc.instanceId}`, () => this.#notifyParent(doc));
    }
    return outcome;
  }

  async #episode(doc: InstanceDoc): Promise<void> {
    const now = new Date();
    beginEpisode(doc, now);
    let state: OrchestratorStateJson;
    try {
      const result = await this.#orchestratorSlots.run(() =>
        this.#invoker.invoke({
          functionName: doc.name,
          reason: `Orchestration '${doc.name}' (${doc.instanceId})`,
          trigger: { string: orchestrationTriggerPayload(doc) },
        }),
      );
      state = result.returnValue as OrchestratorStateJson;
    } catch (error) {
      const failure = parseOrchestratorFailure(error);
      failOrchestration(doc, failure.message, failure.details);
      this.#logger.error(`Orchestration '${doc.name}' (${doc.instanceId}) failed: ${failure.message.split('\n')[0]}`);
      return;
    }
    try {
      const outcome = applyOrchestratorState(doc, state, now);
      // "Completed" is the orchestration's runtime status, not the run's outcome (the app logs that).
      if (outcome === 'completed') debugOf(this.#logger)(`Orchestration '${doc.name}' (${doc.instanceId}) completed.`);
    } catch (error) {
      failOrchestration(doc, (error as Error).message, (error as Error).stack ?? '');
    }
  }

  #startWork(doc: InstanceDoc): void {
    for (const task of Object.values(doc.tasks)) {
      const key = `${doc.instanceId}|${doc.executionId}|${task.id}`;
      if (task.kind === 'timer') {
        this.#timers.arm(key, task.fireAt, () => {
          if (this.#stopped) return;
          this.#track(this.#pickUp().then(() => this.#deliver(doc, task, historyEvent(EventType.TimerFired, { TimerId: task.id, FireAt: task.fireAt }))));
        });
        continue;
      }
      if (this.#running.has(key)) continue;
      this.#running.add(key);
      const work =
        task.kind === 'activity'
          ? this.#pickUp().then(() => this.#activitySlots.run(() => runActivity(this.#invoker, doc, task)))
          : this.#persistently(`starting sub-orchestration ${task.instanceId}`, () => this.#startChild(doc, task));
      // The key stays "running" until the outcome is saved, so a concurrent episode never starts it twice.
      this.#track(
        work
          .then((event) => (event ? this.#deliver(doc, task, event) : undefined))
          .finally(() => this.#running.delete(key)),
      );
    }
  }

  /** Records a task's outcome in its instance's inbox (once: later duplicates are ignored). */
  #deliver(doc: Pick<InstanceDoc, 'instanceId' | 'executionId'>, task: ScheduledTask, event: HistoryEvent): Promise<EventOutcome> {
    return this.#persistently(`recording task ${task.id} of ${doc.instanceId}`, () => this.#process(doc.instanceId, (current) => {
        if (current.executionId !== doc.executionId || !current.tasks[task.id]) return false;
        const stored = current.tasks[task.id]!;
        delete current.tasks[task.id];
        const failed = event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;
        if (failed && stored.kind !== 'timer' && stored.retry) current.pendingRetries[task.id] = { ...stored, retry: stored.retry };
        if (stored.kind === 'timer' && stored.retryOf) current.pendingRetries[task.id] = stored.retryOf;
        current.inbox.push(event);
        return true;
    }));
  }

  /** Creates a sub-orchestration's instance (idempotently); resolves with an event only if it already finished. */
  async #startChild(parent: InstanceDoc, task: Extract<ScheduledTask, { kind: 'subOrchestration' }>): Promise<HistoryEvent | undefined> {
    if (!this.isOrchestrator(task.name)) {
      return historyEvent(EventType.SubOrchestrationInstanceFailed, {
        TaskScheduledId: task.id,
        Reason: `The orchestrator function '${task.name}' doesn't exist.`,
        Details: '',
      });
    }
    const link = { instanceId: parent.instanceId, taskId: task.id, executionId: parent.executionId };
    const existing = await this.#store.get(task.instanceId);
    const ours = existing?.doc.parent && JSON.stringify(existing.doc.parent) === JSON.stringify(link);
    if (existing && ours) {
      if (!isActive(existing.doc)) return completionEventFor(existing.doc);
      this.#kick(task.instanceId);
      return undefined;
    }
    if (existing && isActive(existing.doc)) {
      return historyEvent(EventType.SubOrchestrationInstanceFailed, {
        TaskScheduledId: task.id,
        Reason: `An orchestration with instance id '${task.instanceId}' is already running.`,
        Details: '',
      });
    }
    await this.#store.save(newInstanceDoc(task.name, task.instanceId, task.input, link), existing?.etag);
    this.#kick(task.instanceId);
    return undefined;
  }

  async #notifyParent(child: InstanceDoc): Promise<void> {
    const link = child.parent;
    if (!link) return;
    const event = completionEventFor(child);
    await this.#process(link.instanceId, (parent) => {
      const task = parent.tasks[link.taskId];
      if (parent.executionId !== link.executionId || task?.kind !== 'subOrchestration' || task.instanceId !== child.instanceId) return false;
      delete parent.tasks[link.taskId];
      if (event.EventType === EventType.SubOrchestrationInstanceFailed && task.retry) parent.pendingRetries[link.taskId] = { ...task, retry: task.retry };
      parent.inbox.push(event);
      return true;
    });
  }
}

function completionEventFor(child: InstanceDoc): HistoryEvent {
  const taskId = child.parent?.taskId ?? -1;
  if (child.runtimeStatus === 'Completed') {
    return historyEvent(EventType.SubOrchestrationInstanceCompleted, { TaskScheduledId: taskId, Result: toJsonText(child.output) });
  }
  return historyEvent(EventType.SubOrchestrationInstanceFailed, {
    TaskScheduledId: taskId,
    Reason: `Sub-orchestration '${child.name}' (${child.instanceId}) ${child.runtimeStatus.toLowerCase()}: ${String(child.output)}`,
    Details: '',
  });
}
