/**
 * `hourglass workflow list / describe / show`: the Temporal CLI's commands of those names, with its JSON output, for
 * scripts and CI. `show --output json` prints the history without payload shorthand, as the Temporal CLI does, because
 * that is the form the SDKs' replayers (`historyFromJSON`, `Worker.runReplayHistory`) read.
 */
import type { OutputFormat, WorkflowCommandOptions } from './client-args';
import { RpcError, WorkflowServiceClient } from './workflow-client';

type Json = Record<string, unknown>;
type Write = (text: string) => void;

const SHORTHAND = { payloadShorthand: true };
const NO_SHORTHAND = { payloadShorthand: false };

/** Runs one client command; returns the exit code (1 with a message on stderr when the call fails). */
export async function runWorkflowCommand(options: WorkflowCommandOptions, out: Write, err: Write): Promise<number> {
  const client = new WorkflowServiceClient(options.address);
  try {
    switch (options.subcommand) {
      case 'list':
        await list(client, options, out);
        break;
      case 'describe':
        await describe(client, options, out);
        break;
      case 'show':
        await show(client, options, out);
        break;
    }
    return 0;
  } catch (e) {
    if (!(e instanceof RpcError)) throw e;
    const what = options.subcommand === 'list' ? 'listing workflows' : options.subcommand === 'describe' ? 'describing workflow' : 'getting history';
    err(`hourglass: failed ${what}: ${e.message}${e.code === 14 ? ` (is a server listening on ${options.address}?)` : ''}\n`);
    return 1;
  } finally {
    client.close();
  }
}

function execution(options: WorkflowCommandOptions): Json {
  return { workflowId: options.workflowId, runId: options.runId ?? '' };
}

async function list(client: WorkflowServiceClient, options: WorkflowCommandOptions, out: Write): Promise<void> {
  const printer = listPrinter(options.output, out);
  let nextPageToken = '';
  let printed = 0;
  for (;;) {
    const page = await client.call('ListWorkflowExecutions', { namespace: options.namespace, query: options.query ?? '', nextPageToken }, SHORTHAND);
    for (const info of (page.executions as Json[] | undefined) ?? []) {
      if (options.limit > 0 && printed >= options.limit) break;
      printer.item(info);
      printed++;
    }
    nextPageToken = (page.nextPageToken as string | undefined) ?? '';
    if (nextPageToken === '' || (options.limit > 0 && printed >= options.limit)) break;
  }
  printer.end();
}

/** `json`: one array, an object per workflow (the Temporal CLI's list printer); `jsonl`: one object per line; `text`: a table. */
function listPrinter(output: OutputFormat, out: Write): { item(info: Json): void; end(): void } {
  if (output === 'jsonl') return { item: (info) => out(`${JSON.stringify(info)}\n`), end: () => undefined };
  if (output === 'json') {
    const items: Json[] = [];
    return { item: (info) => items.push(info), end: () => out(`${JSON.stringify(items, null, 2)}\n`) };
  }
  const rows: string[][] = [];
  return {
    item: (info) =>
      rows.push([
        statusName(info.status),
        str((info.execution as Json | undefined)?.workflowId),
        str((info.type as Json | undefined)?.name),
        str(info.startTime),
      ]),
    end: () => out(table(['Status', 'WorkflowId', 'Type', 'StartTime'], rows)),
  };
}

async function describe(client: WorkflowServiceClient, options: WorkflowCommandOptions, out: Write): Promise<void> {
  const request = { namespace: options.namespace, execution: execution(options) };
  const response = await client.call('DescribeWorkflowExecution', request, SHORTHAND);
  const info = (response.workflowExecutionInfo as Json | undefined) ?? {};
  const running = statusName(info.status) === 'Running';
  // As the Temporal CLI: a closed run's close event (and result) is shown with the description.
  let closeEvent: Json | undefined;
  if (!running) {
    const run = { workflowId: options.workflowId, runId: str((info.execution as Json | undefined)?.runId) };
    const page = await client.call(
      'GetWorkflowExecutionHistory',
      { namespace: options.namespace, execution: run, historyEventFilterType: 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT' },
      SHORTHAND,
    );
    closeEvent = ((page.history as Json | undefined)?.events as Json[] | undefined)?.[0];
  }
  if (options.output !== 'text') {
    const completed = closeEvent?.workflowExecutionCompletedEventAttributes as Json | undefined;
    const printed = closeEvent ? { ...response, closeEvent, ...(completed ? { result: completed.result ?? [] } : {}) } : response;
    out(`${JSON.stringify(printed, null, options.output === 'json' ? 2 : undefined)}\n`);
    return;
  }
  const card: [string, unknown][] = [
    ['WorkflowId', (info.execution as Json | undefined)?.workflowId],
    ['RunId', (info.execution as Json | undefined)?.runId],
    ['Type', (info.type as Json | undefined)?.name],
    ['Namespace', options.namespace],
    ['TaskQueue', info.taskQueue],
    ['Status', statusName(info.status)],
    ['StartTime', info.startTime],
    ['CloseTime', info.closeTime],
    ['ExecutionTime', info.executionTime],
    ['StateTransitionCount', info.stateTransitionCount ?? '0'],
    ['HistoryLength', info.historyLength ?? '0'],
    ['HistorySize', info.historySizeBytes ?? '0'],
  ];
  out('Execution Info:\n');
  const width = Math.max(...card.map(([k]) => k.length));
  for (const [key, value] of card) if (value !== undefined) out(`  ${key.padEnd(width)}  ${str(value)}\n`);
  if (running) {
    out(`\nPending Activities: ${((response.pendingActivities as unknown[] | undefined) ?? []).length}\n`);
    out(`Pending Child Workflows: ${((response.pendingChildren as unknown[] | undefined) ?? []).length}\n`);
  } else if (closeEvent) {
    out(`\nResult:\n  ${closeEventSummary(closeEvent)}\n`);
  }
}

async function show(client: WorkflowServiceClient, options: WorkflowCommandOptions, out: Write): Promise<void> {
  const events: Json[] = [];
  let nextPageToken = '';
  do {
    const page = await client.call(
      'GetWorkflowExecutionHistory',
      { namespace: options.namespace, execution: execution(options), nextPageToken },
      options.output === 'text' ? SHORTHAND : NO_SHORTHAND,
    );
    events.push(...(((page.history as Json | undefined)?.events as Json[] | undefined) ?? []));
    nextPageToken = (page.nextPageToken as string | undefined) ?? '';
  } while (nextPageToken !== '');
  if (options.output === 'json') {
    out(`${JSON.stringify({ events }, null, 2)}\n`);
    return;
  }
  if (options.output === 'jsonl') {
    out(`${JSON.stringify({ events })}\n`);
    return;
  }
  out(
    table(
      ['ID', 'Time', 'Type'],
      events.map((e) => [str(e.eventId), str(e.eventTime), eventTypeName(e.eventType)]),
    ),
  );
}

function closeEventSummary(event: Json): string {
  const type = eventTypeName(event.eventType);
  const attributes = Object.entries(event).find(([k]) => k.endsWith('EventAttributes'))?.[1] as Json | undefined;
  const detail = attributes?.result ?? attributes?.failure ?? attributes?.reason;
  return detail === undefined ? type : `${type} ${JSON.stringify(detail)}`;
}

/** `WORKFLOW_EXECUTION_STATUS_COMPLETED` → `Completed`, as the Temporal CLI prints statuses. */
function statusName(status: unknown): string {
  return pascal(str(status).replace(/^WORKFLOW_EXECUTION_STATUS_/, ''));
}

function eventTypeName(type: unknown): string {
  return pascal(str(type).replace(/^EVENT_TYPE_/, ''));
}

function pascal(constant: string): string {
  return constant
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  return [headers, ...rows].map(line).join('');
}
