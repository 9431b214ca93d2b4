/**
 * A run's whole history, fetched page by page (each page shown as it arrives) and then followed: every request sets
 * `waitNewEvent`, so the last page of a running run comes with a token and the next request is a long poll that
 * answers when events are added, as `temporal workflow show --follow` does. Stops when the run closes.
 */
import { useEffect, useState } from 'preact/hooks';
import { getHistory } from '../api';
import { toApiError } from '../hooks';
import type { ApiError } from '../api';
import type { HistoryEvent } from '../types';

export interface HistoryState {
  events: HistoryEvent[];
  /** Every event so far has been fetched (the run may still add more). */
  loaded: boolean;
  /** A long poll is waiting for the run's next events. */
  following: boolean;
  error?: ApiError;
}

// A small first page shows the start of a long history at once; the rest comes in big pages.
const firstPageSize = 200;
const pageSize = 1000;

export function useHistory(ns: string, workflowId: string, runId: string): HistoryState {
  const [state, setState] = useState<HistoryState>({ events: [], loaded: false, following: false });
  useEffect(() => {
    const abort = new AbortController();
    let events: HistoryEvent[] = [];
    setState({ events, loaded: false, following: false });
    void (async () => {
      let token = '';
      let caughtUp = false;
      for (;;) {
        try {
          const size = token === '' ? firstPageSize : pageSize;
          const page = await getHistory(ns, workflowId, runId, { nextPageToken: token, waitNewEvent: true, pageSize: size, signal: abort.signal });
          const added = page.history?.events ?? [];
          if (added.length > 0) events = [...events, ...added];
          token = page.nextPageToken ?? '';
          // Caught up once a page ends short of a full page: from then on each request is a long poll.
          caughtUp ||= added.length < size || token === '';
          setState({ events, loaded: caughtUp, following: caughtUp && token !== '' });
          if (token === '') return;
        } catch (e) {
          if (abort.signal.aborted) return;
          setState({ events, loaded: caughtUp, following: false, error: toApiError(e) });
          // A dropped long poll (server restart, network) is retried after a pause; other errors end the follow.
          if (toApiError(e).httpStatus !== 0 && toApiError(e).httpStatus < 500) return;
          await new Promise((resolve) => window.setTimeout(resolve, 2000));
        }
      }
    })();
    return () => abort.abort();
  }, [ns, workflowId, runId]);
  return state;
}
