/**
 * Notes when each deployment was last used without a storage write per chat request: uses are
 * kept in memory and written (`runs/usage/<deployment>.json`) at most once per `flushMs` per
 * deployment and instance. The lifecycle timer reads these stamps for the idle rules; a stamp can
 * lag real use by at most `flushMs` plus the timer's period, far below Azure's 15-day idle limit.
 */
export class LastUse {
  readonly #written = new Map<string, number>();
  readonly #pending = new Map<string, Promise<void>>();

  constructor(
    private readonly write: (deploymentName: string, at: string) => Promise<void>,
    private readonly flushMs: number,
    private readonly onError: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  note(deploymentName: string): void {
    const now = this.now();
    const last = this.#written.get(deploymentName);
    if ((last !== undefined && now - last < this.flushMs) || this.#pending.has(deploymentName)) return;
    this.#written.set(deploymentName, now);
    const writing = this.write(deploymentName, new Date(now).toISOString())
      .catch((error: unknown) => {
        this.#written.delete(deploymentName); // try again on the next use
        this.onError(`could not record the last use of ${deploymentName}: ${(error as Error).message}`);
      })
      .finally(() => this.#pending.delete(deploymentName));
    this.#pending.set(deploymentName, writing);
  }

  /** Waits for writes in flight (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all(this.#pending.values());
  }
}
