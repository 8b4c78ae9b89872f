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
      // The activity trigger's binding data is its input's properties, so an input or output
      // binding path like `items/{name}.json` resolves from the activity input (fan-out/fan-in
      // samples bind each work item this way).
      ...(isPlainObject(task.input) ? { bindingData: bindingDataOf(task.input) } : {}),
    });
    return historyEvent(EventType.TaskCompleted, { TaskScheduledId: task.id, Result: toJsonText(result.returnValue) });
  } catch (error) {
    return historyEvent(EventType.TaskFailed, { TaskScheduledId: task.id, ...activityFailure(task.name, error) });
  }
}

/**
 * A failed activity as the orchestrator sees it in Azure. The Node worker reports the thrown
 * error as `{ message, stackTrace }` (azure-functions-nodejs-worker, WorkerChannel); the host turns
 * that into an RpcException whose message is `Result: Failure\nException: <message>\nStack: <stack>`
 * (azure-functions-host, Workers/Rpc/RpcException.cs); the Durable extension's TaskActivityShim
 * fails the task with `Activity function '<name>' failed: <that message>` and the serialized
 * exception as details (azure-functions-durable-extension, Listener/TaskActivityShim.cs).
 * durable-functions then throws `new Error(`${Reason} \n ${Details}`)` in the orchestrator. The
 * exact JSON of the details (Newtonsoft's serialization of the RpcException) is not documented;
 * the fields below are the ones that serialization carries.
 */
export function activityFailure(activityName: string, error: unknown): { Reason: string; Details: string } {
  const err = error instanceof Error ? error : new Error(String(error));
  const rpcMessage = `Result: Failure\nException: ${err.message}\nStack: ${err.stack ?? ''}`;
  const details = {
    $type: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException, Microsoft.Azure.WebJobs.Script',
    ClassName: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException',
    Message: rpcMessage,
    RemoteMessage: err.message,
    RemoteStackTrace: err.stack ?? '',
    IsUserException: false,
  };
  return { Reason: `Activity function '${activityName}' failed: ${rpcMessage}`, Details: JSON.stringify(details) };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function bindingDataOf(input: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(input)
      .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
      .map(([key, value]) => [key, String(value)]),
  );
}
