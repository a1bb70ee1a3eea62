import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type AgentState, type Progress } from './api.ts';
import { errorText } from './format.ts';

/** The agent's state: fetched once, then kept current by main's 'state' events. */
export function useAgentState(): AgentState | null {
  const [state, setState] = useState<AgentState | null>(null);
  useEffect(() => {
    let live = true;
    const off = api.onState((next) => { if (live) setState(next); });
    api.getState().then((first) => { if (live) setState((current) => current ?? first); }, () => undefined);
    return () => { live = false; off(); };
  }, []);
  return state;
}

/** Progress events for as long as the component is shown. */
export function useProgress(listener: (progress: Progress) => void): void {
  useEffect(() => api.onProgress(listener), [listener]);
}

export interface Action<T> {
  run: () => Promise<T | undefined>;
  busy: boolean;
  error: string | null;
  result: T | null;
}

/** A button's call into main: busy while running, its error shown instead of thrown. */
export function useAction<T>(call: () => Promise<T>): Action<T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<T | null>(null);
  const run = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      const value = await call();
      setResult(value);
      return value;
    } catch (failure) {
      setError(errorText(failure));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [call]);
  return { run, busy, error, result };
}

/** Loads data when shown (and when `key` changes). */
export function useLoad<T>(load: () => Promise<T>, key: unknown = null): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then((value) => { if (live) { setData(value); setError(null); } }, (failure) => { if (live) setError(errorText(failure)); });
    return () => { live = false; };
  }, [key, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}
