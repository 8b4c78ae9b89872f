import { useEffect, useRef, useState } from 'preact/hooks';

/** The current `#/…` route, updated on navigation. */
export function useHashRoute(): string {
  const [hash, setHash] = useState(location.hash.replace(/^#/, '') || '/');
  useEffect(() => {
    const onChange = (): void => setHash(location.hash.replace(/^#/, '') || '/');
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  refresh: () => void;
}

/**
 * Loads `load()` now and every `intervalMs` while `active(data)` holds (a run that reached a final
 * status stops polling). Stale answers never overwrite newer ones.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[], active: (data: T | undefined) => boolean = () => true): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async (): Promise<void> => {
      const ticket = ++latest.current;
      let next: T | undefined;
      try {
        next = await load();
        if (!stopped && ticket === latest.current) {
          setData(next);
          setError(undefined);
        }
      } catch (e) {
        if (!stopped && ticket === latest.current) setError((e as Error).message);
      }
      if (!stopped && active(next)) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, refresh: () => setTick((t) => t + 1) };
}

export interface Action {
  /** The label of the action under way, if any: buttons are disabled meanwhile. */
  busy: string | undefined;
  message: { text: string; error: boolean } | undefined;
  /** Runs `task` (one at a time); what it returns, or why it failed, is shown by <ActionStatus>. */
  run: (label: string, task: () => Promise<string>) => Promise<void>;
}

/** A button's request to the API (cancel, retry, promote, roll back) and its outcome; `onDone` reloads the page's data. */
export function useAction(onDone: () => void): Action {
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const run = async (label: string, task: () => Promise<string>): Promise<void> => {
    setBusy(label);
    setMessage(undefined);
    try {
      setMessage({ text: `${label}: ${await task()}`, error: false });
      onDone();
    } catch (e) {
      setMessage({ text: `${label} failed: ${(e as Error).message}`, error: true });
    } finally {
      setBusy(undefined);
    }
  };
  return { busy, message, run };
}

/** What an action is doing, then how it went: announced politely, a failure as an alert. */
export function ActionStatus({ action }: { action: Action }) {
  return (
    <>
      {action.busy && <p aria-live="polite">{action.busy}…</p>}
      {action.message && (
        <p class={action.message.error ? 'error' : 'ok'} role={action.message.error ? 'alert' : 'status'}>
          {action.message.text}
        </p>
      )}
    </>
  );
}
