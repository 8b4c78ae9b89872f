import { randomUUID } from 'node:crypto';
import { EventType, historyEvent, toJsonText, type HistoryEvent } from './history.js';
import type { InstanceDoc, RetryableTask, RetryState } from './store.js';

/**
 * The bridge between durable-functions' own replay executor and our stored instance: what to hand
 * the orchestrator function (history + input, replay schema V1) and how to turn the
 * OrchestratorState it returns into history events and outstanding tasks. EventIds are allocated
 * exactly as the executor numbers its tasks (one sequence per execution, in scheduling order, with
 * a retry's back-off timer and next attempt taking the next numbers when the failure is replayed),
 * so replay always lines the history up with the generator's yields.
 */

/** Replay schema V1: the executor returns actions flattened, one list per yield. */
const replaySchemaV1 = 0;

const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
} as const;

export interface OrchestratorAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryState['options'];
  fireAt?: string;
  isCanceled?: boolean;
  instanceId?: string;
}

export interface OrchestratorStateJson {
  isDone: boolean;
  actions?: OrchestratorAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

export type EpisodeOutcome = 'running' | 'completed' | 'failed' | 'continuedAsNew';

export const isActive = (doc: InstanceDoc): boolean => doc.runtimeStatus === 'Pending' || doc.runtimeStatus === 'Running';

export function newInstanceDoc(name: string, instanceId: string, input: unknown, parent?: InstanceDoc['parent']): InstanceDoc {
  const now = new Date().toISOString();
  const doc: InstanceDoc = {
    instanceId,
    name,
    executionId: '',
    runtimeStatus: 'Pending',
    input: input ?? null,
    output: null,
    customStatus: null,
    createdTime: now,
    lastUpdatedTime: now,
    history: [],
    inbox: [],
    nextEventId: 0,
    actionsProcessed: 0,
    tasks: {},
    pendingRetries: {},
  };
  if (parent) doc.parent = parent;
  startExecution(doc, input);
  return doc;
}

function startExecution(doc: InstanceDoc, input: unknown): void {
  const carriedEvents = doc.inbox.filter((e) => e.EventType === EventType.EventRaised);
  doc.executionId = randomUUID();
  doc.input = input ?? null;
  doc.history = [];
  doc.nextEventId = 0;
  doc.actionsProcessed = 0;
  doc.tasks = {};
  doc.pendingRetries = {};
  const started = historyEvent(EventType.ExecutionStarted, {
    Name: doc.name,
    Input: input === undefined ? null : toJsonText(input),
    OrchestrationInstance: { InstanceId: doc.instanceId, ExecutionId: doc.executionId },
    ParentInstance: doc.parent ? { OrchestrationInstance: { InstanceId: doc.parent.instanceId } } : null,
  });
  // External events raised but not yet consumed survive continueAsNew, as in the extension.
  doc.inbox = [started, ...carriedEvents];
}

/** The orchestration trigger's binding data, as the extension sends it to out-of-process workers. */
export function orchestrationTriggerPayload(doc: InstanceDoc): string {
  return JSON.stringify({
    history: doc.history,
    input: doc.input,
    instanceId: doc.instanceId,
    isReplaying: false,
    parentInstanceId: doc.parent?.instanceId ?? null,
    upperSchemaVersion: replaySchemaV1,
    longRunningTimerIntervalDuration: '3.00:00:00',
    maximumShortTimerDuration: '6.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  });
}

/** durable-functions reports a failed orchestration by throwing with its state appended. */
export function parseOrchestratorFailure(error: unknown): { message: string; details: string } {
  const text = error instanceof Error ? error.message : String(error);
  const marker = '$OutOfProcData$:';
  const at = text.indexOf(marker);
  if (at >= 0) {
    try {
      const state = JSON.parse(text.slice(at + marker.length)) as OrchestratorStateJson;
      if (state.error) return { message: state.error, details: error instanceof Error ? (error.stack ?? '') : '' };
    } catch {
      // fall through to the raw message
    }
  }
  return { message: at >= 0 ? text.slice(0, at).trim() : text, details: error instanceof Error ? (error.stack ?? '') : '' };
}

/**
 * Starts an episode: the next inbox event goes into the history after a fresh OrchestratorStarted.
 * Retry bookkeeping happens here because the executor numbers a retry's timer and next attempt
 * while it replays the failure (or the timer), before the orchestrator code resumes.
 */
export function beginEpisode(doc: InstanceDoc, now: Date): HistoryEvent {
  const event = doc.inbox.shift();
  if (!event) throw new Error('beginEpisode needs an inbox event');
  doc.history.push({ ...historyEvent(EventType.OrchestratorStarted), Timestamp: now.toISOString() }, event);
  if (doc.runtimeStatus === 'Pending') doc.runtimeStatus = 'Running';
  const key = String(event['TaskScheduledId'] ?? event['TimerId'] ?? '');
  const retrying = doc.pendingRetries[key];
  if (!retrying) return event;
  delete doc.pendingRetries[key];
  const { retry } = retrying;
  const options = retry.options;
  if (event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed) {
    retry.failures += 1;
    const elapsed = now.getTime() - Date.parse(retry.firstAttemptAt);
    if (options.retryTimeoutInMilliseconds && elapsed >= options.retryTimeoutInMilliseconds) retry.timedOut = true;
    const backoff = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, retry.failures - 1);
    const delay = retry.timedOut ? 0 : Math.min(backoff, options.maxRetryIntervalInMilliseconds || Number.POSITIVE_INFINITY);
    const timerId = doc.nextEventId++;
    const fireAt = new Date(now.getTime() + delay).toISOString();
    doc.history.push(historyEvent(EventType.TimerCreated, { FireAt: fireAt }, timerId));
    doc.tasks[timerId] = { kind: 'timer', id: timerId, fireAt, retryOf: retrying };
  } else if (event.EventType === EventType.TimerFired && retry.failures < options.maxNumberOfAttempts) {
    const attempt = { ...retrying, id: doc.nextEventId++ } as RetryableTask;
    recordScheduled(doc, attempt);
    if (retry.timedOut) {
      doc.pendingRetries[attempt.id] = attempt;
      doc.inbox.unshift(failureEvent(attempt, 'Retry timeout exceeded', ''));
    } else {
      doc.tasks[attempt.id] = attempt;
    }
  }
  return event;
}

export function failureEvent(task: { kind: string; id: number }, reason: string, details: string): HistoryEvent {
  const type = task.kind === 'subOrchestration' ? EventType.SubOrchestrationInstanceFailed : EventType.TaskFailed;
  return historyEvent(type, { TaskScheduledId: task.id, Reason: reason, Details: details });
}

function recordScheduled(doc: InstanceDoc, task: RetryableTask | Extract<InstanceDoc['tasks'][string], { kind: 'activity' | 'subOrchestration' }>): void {
  if (task.kind === 'activity') {
    doc.history.push(historyEvent(EventType.TaskScheduled, { Name: task.name, Input: toJsonText(task.input) }, task.id));
  } else {
    doc.history.push(
      historyEvent(EventType.SubOrchestrationInstanceCreated, { Name: task.name, InstanceId: task.instanceId, Input: toJsonText(task.input) }, task.id),
    );
  }
}

/** durable-functions JSON-encodes string inputs before handing them to the extension. */
function decodeActionInput(input: unknown): unknown {
  if (typeof input !== 'string') return input ?? null;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

/** Applies what the executor returned: new tasks, custom status, and completion. */
export function applyOrchestratorState(doc: InstanceDoc, state: OrchestratorStateJson, now: Date): EpisodeOutcome {
  doc.customStatus = state.customStatus ?? null;
  const actions = (state.actions ?? []).flat();
  const fresh = actions.slice(doc.actionsProcessed);
  doc.actionsProcessed = actions.length;
  let continueAsNew: OrchestratorAction | undefined;
  for (const action of fresh) {
    if (action.actionType === ActionType.ContinueAsNew) {
      continueAsNew = action;
      continue;
    }
    scheduleAction(doc, action, now);
  }
  doc.history.push(historyEvent(EventType.OrchestratorCompleted));
  if (!state.isDone) return 'running';
  if (continueAsNew) {
    // A new execution starts with a fresh history (the old one is not kept, unlike the extension's archive).
    startExecution(doc, decodeActionInput(continueAsNew.input));
    doc.runtimeStatus = 'Running';
    return 'continuedAsNew';
  }
  finish(doc, 'Completed', state.output ?? null);
  doc.history.push(historyEvent(EventType.ExecutionCompleted, { OrchestrationStatus: 1 /* DurableTask.Core OrchestrationStatus.Completed */, Result: toJsonText(state.output) }));
  return 'completed';
}

export function failOrchestration(doc: InstanceDoc, message: string, details: string): void {
  finish(doc, 'Failed', message);
  doc.history.push(historyEvent(EventType.ExecutionFailed, { Reason: message, Details: details }));
}

export function terminateOrchestration(doc: InstanceDoc, reason: string): void {
  finish(doc, 'Terminated', reason);
  doc.history.push(historyEvent(EventType.ExecutionTerminated, { Input: toJsonText(reason) }));
}

function finish(doc: InstanceDoc, status: InstanceDoc['runtimeStatus'], output: unknown): void {
  doc.runtimeStatus = status;
  doc.output = output;
  doc.tasks = {};
  doc.pendingRetries = {};
  doc.inbox = [];
}

function scheduleAction(doc: InstanceDoc, action: OrchestratorAction, now: Date): void {
  const retry = (): RetryState => ({ options: action.retryOptions!, failures: 0, firstAttemptAt: now.toISOString() });
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry: {
      const id = doc.nextEventId++;
      const task = { kind: 'activity' as const, id, name: action.functionName ?? '', input: decodeActionInput(action.input) };
      const scheduled = action.actionType === ActionType.CallActivityWithRetry ? { ...task, retry: retry() } : task;
      recordScheduled(doc, scheduled);
      doc.tasks[id] = scheduled;
      return;
    }
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry: {
      const id = doc.nextEventId++;
      const task = {
        kind: 'subOrchestration' as const,
        id,
        name: action.functionName ?? '',
        instanceId: action.instanceId || `${doc.instanceId}:${id}`,
        input: decodeActionInput(action.input),
      };
      const scheduled = action.actionType === ActionType.CallSubOrchestratorWithRetry ? { ...task, retry: retry() } : task;
      recordScheduled(doc, scheduled);
      doc.tasks[id] = scheduled;
      return;
    }
    case ActionType.CreateTimer: {
      const id = doc.nextEventId++;
      const fireAt = new Date(action.fireAt ?? now).toISOString();
      doc.history.push(historyEvent(EventType.TimerCreated, { FireAt: fireAt }, id));
      if (!action.isCanceled) doc.tasks[id] = { kind: 'timer', id, fireAt };
      return;
    }
    case ActionType.WaitForExternalEvent:
      // Raised events are always appended to the history; the executor matches them by name.
      return;
    default:
      throw new Error(`dev/host does not support durable action type ${action.actionType} (entities and callHttp are not emulated).`);
  }
}
