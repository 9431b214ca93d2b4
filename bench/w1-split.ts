/** The W1 latency split: who was working during each one-at-a-time workflow, from the server's RPC log. */
export interface RpcRecord {
  method: string;
  start: number;
  end: number;
}

/**
 * Splits each W1 workflow's latency (one at a time, threeSteps) by who was working, from the server's own RPC timings
 * (start-dev logs every answered RPC at debug level):
 *   worker  = poll response sent → RespondWorkflowTaskCompleted received, and an eager activity handed out in that
 *             response → RespondActivityTaskCompleted received (the SDK worker's turns, incl. its side of transport);
 *   server  = the rest of the window from StartWorkflowExecution received to the result's history long poll answered;
 *   client  = the load generator's measured start → result minus that window (SDK client overhead, connection).
 */
export function splitW1(records: RpcRecord[], latenciesMs: number[]): { server: number[]; worker: number[]; client: number[] } {
  const byStart = [...records].sort((a, b) => a.start - b.start);
  const starts = byStart.filter((r) => r.method === 'StartWorkflowExecution');
  const out = { server: [] as number[], worker: [] as number[], client: [] as number[] };
  starts.forEach((startRpc, i) => {
    const next = starts[i + 1]?.start ?? Infinity;
    const inWindow = byStart.filter((r) => r.start >= startRpc.start && r.start < next);
    const result = byStart.find((r) => r.method === 'GetWorkflowExecutionHistory' && r.end > startRpc.start && r.end < next);
    if (!result) return;
    const windowEnd = result.end;
    let worker = 0;
    let previousEnd = startRpc.end;
    for (const r of inWindow) {
      if (r.method === 'RespondWorkflowTaskCompleted') {
        // The task it answers came in the latest poll answered before it.
        const poll = records.filter((p) => p.method === 'PollWorkflowTaskQueue' && p.end >= previousEnd && p.end <= r.start).sort((a, b) => b.end - a.end)[0];
        if (poll) worker += r.start - poll.end;
        previousEnd = r.end;
      } else if (r.method === 'RespondActivityTaskCompleted') {
        worker += r.start - previousEnd; // the activity came eagerly with the previous completion's response
        previousEnd = r.end;
      }
    }
    const window = windowEnd - startRpc.start;
    const latency = latenciesMs[i];
    if (latency === undefined) return;
    out.worker.push(worker);
    out.server.push(window - worker);
    out.client.push(latency - window);
  });
  return out;
}
