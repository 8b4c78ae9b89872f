import type { Invoker } from '../invoker.js';
import { EventType, historyEvent, toJsonText, type HistoryEvent } from './history.js';
import type { InstanceDoc, ScheduledTask } from './store.js';

/**
 * Runs one activity through the app's own `df.app.activity` handler and returns the history event
 * that records its outcome. The input is sent as JSON, as the extension does.
 */
export async function runActivity(
  invoker: Invoker,
  doc: InstanceDoc,
  task: Extract<ScheduledTask, { kind: 'activity' }>,
): Promise<HistoryEvent> {
  if (!invoker.functions.has(task.name)) {
    return historyEvent(EventType.TaskFailed, {
      TaskScheduledId: task.id,
      Reason: `The activity function '${task.name}' doesn't exist.`,
      Details: '',
    });
  }
  try {
    const result = await invoker.invoke({
      functionName: task.name,
      reason: `Activity for orchestration '${doc.name}' (${doc.instanceId})`,
      trigger: { json: toJsonText(task.input) },
    });
    return historyEvent(EventType.TaskCompleted, { TaskScheduledId: task.id, Result: toJsonText(result.returnValue) });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return historyEvent(EventType.TaskFailed, { TaskScheduledId: task.id, Reason: err.message, Details: err.stack ?? '' });
  }
}
