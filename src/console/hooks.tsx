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
