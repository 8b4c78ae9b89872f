/** Longest delay setTimeout accepts; longer durable timers re-arm in steps. */
const maxTimeoutMs = 2_147_483_647;

/** In-process alarms for durable timers; the timers themselves live in the instance documents. */
export class TimerWheel {
  readonly #handles = new Map<string, NodeJS.Timeout>();

  /** Arms `onFire` for `fireAt` unless a timer with this key is already armed. */
  arm(key: string, fireAt: string, onFire: () => void): void {
    if (this.#handles.has(key)) return;
    const schedule = (): void => {
      const delay = Date.parse(fireAt) - Date.now();
      const handle = setTimeout(
        () => {
          if (delay > maxTimeoutMs) return schedule();
          this.#handles.delete(key);
          onFire();
        },
        Math.max(0, Math.min(delay, maxTimeoutMs)),
      );
      this.#handles.set(key, handle);
    };
    schedule();
  }

  clear(): void {
    for (const handle of this.#handles.values()) clearTimeout(handle);
    this.#handles.clear();
  }
}
