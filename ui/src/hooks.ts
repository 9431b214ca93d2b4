/** Data loading for pages: one call's state, reloadable, optionally polled. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(2, e instanceof Error ? e.message : String(e), 0);
}

/** Runs `load` when `deps` change (and every `pollMs` when given); keeps the last data while reloading, so polling never flickers. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (e: unknown) => mine === generation.current && setState((s) => ({ data: s.data, error: toApiError(e), loading: false })),
    );
  }, deps); // the caller's deps decide when to reload
  useEffect(() => {
    setState({ loading: true });
    run();
  }, [run]);
  useEffect(() => {
    if (!pollMs) return;
    const timer = window.setInterval(run, pollMs);
    return () => window.clearInterval(timer);
  }, [run, pollMs]);
  return { data: state.data, error: state.error, loading: state.loading, reload: run };
}
