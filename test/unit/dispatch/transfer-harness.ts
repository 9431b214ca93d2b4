import { enums, type command, type history } from '../../../src/common/proto';
import { Matching } from '../../../src/engine/dispatch/matching';
import type { RetryBackoff } from '../../../src/engine/dispatch/retrying-tasks';
import { TransferTasks } from '../../../src/engine/dispatch/transfer-tasks';
import { NamespaceRegistry } from '../../../src/engine/namespaces';
import { SearchAttributeRegistry } from '../../../src/visibility/search-attributes';
import { applyCommands } from '../../../src/engine/state/commands';
import { terminateExecution } from '../../../src/engine/state/execution';
import { decodeEvent } from '../../../src/engine/state/mutator';
import { createRun } from '../../../src/engine/state/run-factory';
import { currentExecutionOf, Transactions } from '../../../src/engine/transactions';
import type { MutableState, NamespaceRecord, ParentInfo, RunRef } from '../../../src/store/records';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';

export const NAMESPACE = 'default';
export const C = enums.CommandType;

interface Fault {
  method: string;
  times: number;
  when?: (args: unknown[]) => boolean;
}

/**
 * The transfer tasks on a real in-memory SQLite store and the real transaction helper, wired as the
 * history engine wires them (every commit dispatches, a close runs the close tasks), with faults
 * that make chosen store calls or namespace lookups fail the way a broken disk would.
 */
export class TransferHarness {
  readonly store: Store;
  readonly namespaces: NamespaceRegistry;
  readonly transactions: Transactions;
  readonly transfers: TransferTasks;
  readonly errors: { message: string; fields?: Record<string, unknown> }[] = [];
  /** How many faults have fired so far. */
  injected = 0;
  namespaceId = '';
  private readonly faults: Fault[] = [];
  private namespaceFaults = 0;

  /** Retries come quickly here: the policy itself is specified with retryDelayMs. */
  constructor(
    backoff: RetryBackoff = { initialMs: 10, maxMs: 40 },
    /** Another harness's store: a restart on the same database. */
    readonly raw = new SqliteStore(),
  ) {
    this.store = this.wrap(raw);
    this.namespaces = new NamespaceRegistry(raw, () => Date.now());
    this.transactions = new Transactions({
      store: this.store,
      namespaces: this.namespaces,
      searchAttributes: new SearchAttributeRegistry(this.store),
      matching: new Matching(),
      now: () => Date.now(),
      afterCommit: (ms, justClosed) => {
        if (justClosed) this.transfers.afterClose(ms);
        this.transfers.dispatch(ms);
      },
    });
    const ignore = (): void => undefined;
    this.transfers = new TransferTasks(
      {
        transactions: this.transactions,
        store: this.store,
        logger: { debug: ignore, info: ignore, warn: ignore, error: (message, fields) => this.errors.push({ message, fields }) },
        namespaces: { resolve: (name) => this.resolveNamespace(name) },
        settled: ignore,
      },
      backoff,
    );
  }

  /** Creates the namespace the runs live in. */
  async init(): Promise<this> {
    this.namespaceId = (await this.namespaces.ensure(NAMESPACE)).id;
    return this;
  }

  /** The next `times` calls of the store method (for which `when` holds) fail with an I/O error. */
  failStore(method: keyof Store, times: number, when?: (args: unknown[]) => boolean): void {
    this.faults.push({ method, times, when });
  }

  /** The next `times` namespace lookups fail with an error that is not NOT_FOUND. */
  failNamespaceLookups(times: number): void {
    this.namespaceFaults = times;
  }

  async startRun(workflowId: string, parent?: ParentInfo): Promise<RunRef> {
    const requestId = `${workflowId}-start`;
    const m = createRun(
      {
        namespaceId: this.namespaceId,
        request: { workflowId, workflowType: { name: 'Workflow' }, taskQueue: { name: 'queue' } },
        requestId,
        parent,
      },
      Date.now(),
    );
    m.namespaceName = NAMESPACE;
    await this.transactions.commitRuns([m], currentExecutionOf(m.ms));
    return { namespaceId: m.ms.namespaceId, workflowId, runId: m.ms.runId };
  }

  /** Applies one workflow command to the run, as a completed workflow task would; returns its event id. */
  async command(ref: RunRef, cmd: command.ICommand): Promise<number> {
    return this.transactions.update(ref, (m) => {
      const before = m.ms.nextEventId;
      applyCommands(m, [cmd], 0, () => undefined);
      return before;
    });
  }

  async terminate(ref: RunRef): Promise<void> {
    await this.transactions.update(ref, (m) => terminateExecution(m, 'test', null, 'test'));
  }

  async state(ref: RunRef): Promise<MutableState> {
    const ms = await this.raw.getMutableState(ref.namespaceId, ref.workflowId, ref.runId);
    if (!ms) throw new Error(`no run ${ref.runId}`);
    return ms;
  }

  async current(workflowId: string): Promise<MutableState | undefined> {
    const current = await this.raw.getCurrentExecution(this.namespaceId, workflowId);
    return current && this.raw.getMutableState(current.namespaceId, workflowId, current.runId);
  }

  async events(ref: RunRef): Promise<history.HistoryEvent[]> {
    return (await this.raw.readHistory(ref.runId, 1, Number.MAX_SAFE_INTEGER, 10_000)).map(decodeEvent);
  }

  async eventNames(ref: RunRef): Promise<string[]> {
    return (await this.events(ref)).map((e) => enums.EventType[e.eventType].replace(/^EVENT_TYPE_/, ''));
  }

  /** Waits until the transfer tasks have nothing in progress and nothing waiting to be retried. */
  async settled(timeoutMs = 2000): Promise<void> {
    await until('transfer tasks to settle', () => !this.transfers.busy && this.transfers.retrying === 0, timeoutMs);
  }

  async close(): Promise<void> {
    await until('transfer tasks to finish', () => !this.transfers.busy);
    this.transfers.close();
    await this.raw.close();
  }

  private async resolveNamespace(name: string | null | undefined): Promise<NamespaceRecord> {
    if (this.namespaceFaults > 0) {
      this.namespaceFaults--;
      this.injected++;
      throw new Error('SQLITE_BUSY: database is locked (injected into namespace lookup)');
    }
    return this.namespaces.resolve(name);
  }

  private wrap(store: Store): Store {
    return new Proxy(store, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          const fault = this.faults.find((f) => f.method === prop && f.times > 0 && (!f.when || f.when(args)));
          if (fault) {
            fault.times--;
            this.injected++;
            return Promise.reject(new Error(`SQLITE_IOERR: disk I/O error (injected into ${String(prop)})`));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}

/** Polls `probe` until it holds. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A store call's arguments or a commit's runs concern this workflow ID. */
export function touches(workflowId: string): (args: unknown[]) => boolean {
  return (args) => {
    const [first, second] = args;
    if (second === workflowId) return true;
    const txn = first as { runs?: { mutableState: MutableState }[] } | undefined;
    return txn?.runs?.some((r) => r.mutableState.workflowId === workflowId) ?? false;
  };
}
