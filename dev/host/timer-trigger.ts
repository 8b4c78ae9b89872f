import { CronExpressionParser } from 'cron-parser';
import { resolveAppSettings } from './binding-expressions.js';
import { Invoker, triggerBindingOf } from './invoker.js';
import type { HostLogger } from './logger.js';

interface TimerFunction {
  name: string;
  schedule: string;
  runOnStartup: boolean;
}

/** Next occurrence of a six-field NCRONTAB schedule (`{second} {minute} {hour} {day} {month} {day-of-week}`). */
export function nextOccurrence(schedule: string, after: Date): Date {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(`The timer schedule "${schedule}" must have six fields (NCRONTAB: second minute hour day month day-of-week).`);
  }
  return CronExpressionParser.parse(schedule, { currentDate: after, tz: 'UTC' }).next().toDate();
}

/** Timer triggers: each function re-arms for its next occurrence after every run (UTC, like WEBSITE_TIME_ZONE unset). */
export class TimerTriggers {
  readonly #invoker: Invoker;
  readonly #logger: HostLogger;
  readonly #functions: TimerFunction[] = [];
  readonly #handles = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(invoker: Invoker, logger: HostLogger) {
    this.#invoker = invoker;
    this.#logger = logger;
    for (const fn of invoker.functions.values()) {
      const [, trigger] = triggerBindingOf(fn);
      if (trigger.type?.toLowerCase() !== 'timertrigger') continue;
      const schedule = resolveAppSettings(String(trigger['schedule']));
      nextOccurrence(schedule, new Date()); // reject a bad schedule at start-up, not at the first tick
      this.#functions.push({ name: fn.metadata.name, schedule, runOnStartup: trigger['runOnStartup'] === true });
    }
  }

  start(): void {
    for (const fn of this.#functions) {
      const last = new Date();
      if (fn.runOnStartup) void this.#fire(fn, last, false);
      this.#arm(fn, last);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const handle of this.#handles) clearTimeout(handle);
    this.#handles.clear();
  }

  #arm(fn: TimerFunction, after: Date): void {
    if (this.#stopped) return;
    const due = nextOccurrence(fn.schedule, after);
    const handle = setTimeout(() => {
      this.#handles.delete(handle);
      const late = Date.now() - due.getTime() > 1000;
      void this.#fire(fn, due, late).finally(() => this.#arm(fn, due));
    }, Math.max(0, due.getTime() - Date.now()));
    this.#handles.add(handle);
  }

  async #fire(fn: TimerFunction, occurrence: Date, isPastDue: boolean): Promise<void> {
    if (this.#stopped) return;
    const next = nextOccurrence(fn.schedule, occurrence);
    const timer = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: occurrence.toISOString(), Next: next.toISOString(), LastUpdated: new Date().toISOString() },
      IsPastDue: isPastDue,
    };
    try {
      await this.#invoker.invoke({ functionName: fn.name, reason: `Timer fired at ${new Date().toISOString()}`, trigger: { json: JSON.stringify(timer) } });
    } catch {
      // The invoker already logged the failure; a timer simply waits for its next occurrence.
    }
    this.#logger.info(`Next run of '${fn.name}': ${next.toISOString()}`);
  }
}
