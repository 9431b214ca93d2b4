import { GrpcFrontend, type RpcObserver } from './api/grpc-server';
import { HttpApiHandler } from './api/http/http-server';
import { HttpListener } from './api/http/http-listener';
import { UiServer } from './api/ui/ui-server';
import { resolveDynamicConfig, type DynamicConfigValues } from './common/dynamic-config';
import { silentLogger, type Logger } from './common/logger';
import { VirtualClock, systemClock } from './engine/time/clock';
import { TimeSkipper } from './engine/time/time-skipping';
import { HistoryEngine } from './engine/history-engine';
import { NamespaceRegistry } from './engine/namespaces';
import { runLimitsOf } from './engine/state/run-limits';
import { scheduleActionHost } from './schedule-actions';
import { Scheduler } from './schedules/scheduler';
import { ScheduleService } from './schedules/schedule-service';
import { CachedStore } from './store/cached-store';
import { SqliteStore } from './store/sqlite/sqlite-store';
import type { StorageFaults } from './store/sqlite/storage-faults';
import type { Store } from './store/store';
import { version } from './version';
import { DEV_SERVER_ATTRIBUTES, SearchAttributeRegistry } from './visibility/search-attributes';
import type { SearchAttributeType } from './visibility/search-attribute-type';
import { VisibilityService } from './visibility/service';

export interface HourglassServerOptions {
  /** Address to listen on. Default 127.0.0.1. */
  ip?: string;
  /** Port for the gRPC frontend. Default 7233; 0 picks a free port. */
  port?: number;
  /** Port for Temporal's HTTP API (`--http-port`); absent: no HTTP API; 0 picks a free port. */
  httpPort?: number;
  /** Origins allowed to call the HTTP API from a browser (`--http-cors-origin`; `*` for any); none: no CORS headers. */
  httpCorsOrigins?: string[];
  /** Port for the web UI (`--ui-port`); absent: no UI; 0 picks a free port. */
  uiPort?: number;
  /** Address of the web UI; default `ip`. */
  uiIp?: string;
  /** `--ui-codec-endpoint`: the codec server the UI's browser page asks to decode payloads (`<endpoint>/decode`). */
  codecEndpoint?: string;
  /** `--ui-asset-path`: a folder with a built UI to serve instead of the package's `dist/ui`. */
  uiAssetPath?: string;
  /** SQLite file; absent means an in-memory database (as the Temporal CLI's dev server does). */
  dbFilename?: string;
  /** Namespaces to create besides `default`. */
  namespaces?: string[];
  /** Where logs go; silent by default. */
  logger?: Logger;
  /**
   * Time-skipping test mode: a virtual clock that jumps to the next timer whenever nothing is in
   * flight and the TestService lock is released. `initialTime` sets where the clock starts.
   */
  timeSkipping?: boolean | { initialTime?: Date | number };
  /** Custom search attributes to register in every namespace at start (`--search-attribute`). */
  searchAttributes?: { name: string; type: SearchAttributeType }[];
  /** SQLite `journal_mode` / `synchronous` (see SqliteStoreOptions.pragmas for what each trades). */
  sqlitePragmas?: Record<string, string>;
  /**
   * Temporal dynamic config (`--dynamic-config-value`), values as the CLI decodes them: `{ 'limit.blobSize.error': 1024,
   * 'history.longPollExpirationInterval': '5s', 'system.enableActivityEagerExecution': false }`. The keys Hourglass honours
   * are `DYNAMIC_CONFIG_SETTINGS`; others are logged at debug and have no effect. A bad value for an honoured key fails `start`.
   */
  dynamicConfig?: DynamicConfigValues;
  /** Called as each RPC is answered (method, start and end in `performance.now()` ms, gRPC code): diagnostics and benchmarks. */
  onRpc?: RpcObserver;
  /** @internal Storage faults (disk full, I/O error) a spec injects into the store's writes and commits. */
  storageFaults?: StorageFaults;
}

/** The embeddable server: `await HourglassServer.start()`, use `address`, `await close()`. */
export class HourglassServer {
  private closing: Promise<void> | undefined;

  private constructor(
    /** host:port, ready to pass to `Connection.connect({ address })`. */
    readonly address: string,
    readonly port: number,
    /** host:port of the HTTP API, when `httpPort` was given. */
    readonly httpAddress: string | undefined,
    /** host:port of the web UI, when `uiPort` was given. */
    readonly uiAddress: string | undefined,
    private readonly listeners: { close(): Promise<void> }[],
    private readonly engine: HistoryEngine,
    private readonly scheduler: Scheduler,
    private readonly store: Store,
  ) {}

  static async start(options: HourglassServerOptions = {}): Promise<HourglassServer> {
    const ip = options.ip ?? '127.0.0.1';
    const logger = options.logger ?? silentLogger;
    const { config, ignoredKeys } = resolveDynamicConfig(options.dynamicConfig);
    for (const key of ignoredKeys) logger.debug('dynamic config key not used by Hourglass', { key });
    const store = new CachedStore(new SqliteStore({ filename: options.dbFilename, pragmas: options.sqlitePragmas, faults: options.storageFaults }));
    try {
      const namespaces = new NamespaceRegistry(store, () => systemClock.now());
      await namespaces.load();
      const searchAttributes = new SearchAttributeRegistry(store);
      const declared = new Map([...DEV_SERVER_ATTRIBUTES, ...(options.searchAttributes ?? []).map((a): [string, SearchAttributeType] => [a.name, a.type])]);
      for (const name of ['default', ...(options.namespaces ?? [])]) {
        const ns = await namespaces.ensure(name);
        await searchAttributes.add(ns.id, declared);
      }
      const skipping = options.timeSkipping;
      const timeSkipper = skipping ? new TimeSkipper(new VirtualClock(skipping === true ? undefined : toMs(skipping.initialTime))) : undefined;
      const clock = timeSkipper?.clock ?? systemClock;
      // The scheduler acts through the engine and the engine tells it of closed runs: this closes the loop.
      const closedRuns: { scheduler?: Scheduler } = {};
      const onRunClosed = (ms: { namespaceId: string; workflowId: string; runId: string }): void =>
        closedRuns.scheduler?.onRunClosed(ms.namespaceId, ms.workflowId, ms.runId);
      const engine = new HistoryEngine({
        store,
        namespaces,
        searchAttributes,
        clock,
        logger,
        timeSkipper,
        onRunClosed,
        longPollTimeoutMs: config['matching.longPollExpirationInterval'],
        historyLongPollTimeoutMs: config['history.longPollExpirationInterval'],
        historyPageSize: config['limit.historyMaxPageSize'],
        runLimits: runLimitsOf(config),
        activityEagerExecution: config['system.enableActivityEagerExecution'],
        updateLimits: { maxInFlight: config['history.maxInFlightUpdates'], maxTotal: config['history.maxTotalUpdates'] },
      });
      const scheduler = new Scheduler({
        store,
        clock,
        logger,
        actions: scheduleActionHost(engine, namespaces, searchAttributes, store),
        poke: timeSkipper && (() => timeSkipper.poke()),
      });
      closedRuns.scheduler = scheduler;
      const schedules = new ScheduleService({ store, scheduler, clock });
      if (timeSkipper) timeSkipper.attach(scheduler);
      await engine.recover();
      await scheduler.recover();
      const visibility = new VisibilityService(store, searchAttributes);
      const context = {
        engine,
        namespaces,
        searchAttributes,
        visibility,
        schedules,
        timeSkipper,
        logger,
        blobSizeLimits: { warnBytes: config['limit.blobSize.warn'], errorBytes: config['limit.blobSize.error'] },
        activityApisEnabled: config['frontend.activityAPIsEnabled'],
      };
      const frontend = new GrpcFrontend({ logger, context, onRpc: options.onRpc });
      // Built only for an HTTP or UI listener: generating the routes costs start-up time the SDKs' servers do not need.
      let api: HttpApiHandler | undefined;
      const apiHandler = (): HttpApiHandler => (api ??= new HttpApiHandler({ logger, context, corsOrigins: options.httpCorsOrigins }));
      const listeners: { close(): Promise<void> }[] = [frontend];
      let port: number;
      let httpAddress: string | undefined;
      let uiAddress: string | undefined;
      try {
        port = await frontend.listen(ip, options.port ?? 7233);
        if (options.httpPort !== undefined) {
          const handler = apiHandler();
          const http = new HttpListener((req, res) => handler.handle(req, res));
          listeners.push(http);
          httpAddress = hostPort(ip, await http.listen(ip, options.httpPort));
        }
        if (options.uiPort !== undefined) {
          const ui = new UiServer({
            api: apiHandler(),
            clock,
            timeSkipping: timeSkipper !== undefined,
            codecEndpoint: options.codecEndpoint,
            serverVersion: version,
            assetPath: options.uiAssetPath,
          });
          listeners.push(ui);
          const uiIp = options.uiIp ?? ip;
          uiAddress = hostPort(uiIp, await ui.listen(uiIp, options.uiPort));
        }
      } catch (err) {
        await Promise.all(listeners.map((l) => l.close()));
        scheduler.close();
        engine.close();
        throw err;
      }
      const server = new HourglassServer(hostPort(ip, port), port, httpAddress, uiAddress, listeners, engine, scheduler, store);
      server.startRetentionSweeps(logger);
      return server;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  private retention: NodeJS.Timeout | undefined;

  /** Closed workflows leave after their namespace's retention period, checked every minute. */
  private startRetentionSweeps(logger: Logger): void {
    const sweep = (): void =>
      void this.engine.deletion.sweepRetention().catch((err: unknown) => logger.error('retention sweep failed', { error: String(err) }));
    sweep();
    this.retention = setInterval(sweep, 60_000);
    this.retention.unref();
  }

  /** Runs the retention sweep now (it also runs every minute); returns how many closed runs it removed. */
  runRetention(): Promise<number> {
    return this.engine.deletion.sweepRetention();
  }

  /** Counters for tests and operators, e.g. how many workflow tasks carried the full history. */
  get stats(): Readonly<HistoryEngine['stats']> {
    return this.engine.stats;
  }

  /** Ends open polls, stops listening and closes the database. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.retention);
      this.scheduler.close();
      this.engine.close();
      await Promise.all(this.listeners.map((l) => l.close()));
      await this.store.close();
    })();
    return this.closing;
  }
}

function hostPort(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

function toMs(time: Date | number | undefined): number | undefined {
  return time instanceof Date ? time.getTime() : time;
}
