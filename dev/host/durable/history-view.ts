import { EventType, type HistoryEvent } from './history.js';

const typeNames = new Map<number, string>(Object.entries(EventType).map(([name, value]) => [value, name]));
const orchestrationStatusNames = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'];

const parseJson = (value: unknown): unknown => {
  if (typeof value !== 'string') return value ?? null;
  const text = value.trim();
  if (!text) return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/**
 * The `historyEvents` of a status query (`showHistory=true`), shaped as the Durable extension's
 * DurableClient.GetDurableOrchestrationStatusAsync shapes them: event types as names, each
 * TaskScheduled / SubOrchestrationInstanceCreated folded into its completion (as `FunctionName`
 * and `ScheduledTime`), OrchestratorStarted/Completed dropped, inputs removed, results only with
 * `showHistoryOutput=true`, and no EventId/IsPlayed.
 */
export function historyView(history: readonly HistoryEvent[], showHistoryOutput: boolean): Record<string, unknown>[] {
  const items = history.map((event) => ({ ...event }) as Record<string, unknown>);
  const scheduled = new Map<string, { index: number; name: unknown; time: unknown }>();
  const dropped = new Set<number>();
  const fold = (prefix: string, item: Record<string, unknown>): void => {
    const found = scheduled.get(`${prefix}_${String(item['TaskScheduledId'])}`);
    if (!found) return;
    item['ScheduledTime'] = found.time;
    item['FunctionName'] = found.name;
    dropped.add(found.index);
  };
  items.forEach((item, i) => {
    const type = typeNames.get(item['EventType'] as number);
    if (!type) return;
    item['EventType'] = type;
    switch (type) {
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
        scheduled.set(`${type}_${String(item['EventId'])}`, { index: i, name: item['Name'], time: item['Timestamp'] });
        delete item['Version'];
        delete item['Input'];
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed': {
        fold(type.startsWith('Task') ? 'TaskScheduled' : 'SubOrchestrationInstanceCreated', item);
        delete item['TaskScheduledId'];
        const completed = type.endsWith('Completed');
        if (completed && !showHistoryOutput) delete item['Result'];
        if (completed && showHistoryOutput) item['Result'] = parseJson(item['Result']);
        break;
      }
      case 'ExecutionStarted':
        item['FunctionName'] = item['Name'];
        for (const key of ['Name', 'OrchestrationInstance', 'ParentInstance', 'Version', 'Tags', 'Input']) delete item[key];
        break;
      case 'ExecutionCompleted':
        if (typeof item['OrchestrationStatus'] === 'number') item['OrchestrationStatus'] = orchestrationStatusNames[item['OrchestrationStatus']];
        if (showHistoryOutput) item['Result'] = parseJson(item['Result']);
        else delete item['Result'];
        break;
      case 'ExecutionTerminated':
      case 'EventRaised':
        delete item['Input'];
        break;
      case 'TimerFired':
        delete item['TimerId'];
        break;
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        dropped.add(i);
        break;
    }
    delete item['EventId'];
    delete item['IsPlayed'];
  });
  return items.filter((_, i) => !dropped.has(i));
}
