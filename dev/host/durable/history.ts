/**
 * Orchestration history events in the wire shape the Durable extension hands to out-of-process
 * workers (PascalCase, `EventType` numbers from durable-functions' HistoryEventType).
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  Timestamp: string;
  IsPlayed: boolean;
  [field: string]: unknown;
}

export function historyEvent(type: number, fields: Record<string, unknown> = {}, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, Timestamp: new Date().toISOString(), IsPlayed: false, ...fields };
}

/** Serialises a result the way the extension stores it: JSON text, `null` for nothing. */
export const toJsonText = (value: unknown): string => JSON.stringify(value ?? null);
