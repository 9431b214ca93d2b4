import { ApiKeyAuthorizer, type ApiKeySpec } from './api/auth/api-keys';
import { GrpcFrontend, type RpcObserver } from './api/grpc-server';
import { loadServerTls, type ServerTlsOptions } from './api/tls';
import { isLoopback } from './api/listen';
import { HttpApiHandler } from './api/http/http-server';
import { HttpListener } from './api/http/http-listener';
import { UiServer } from './api/ui/ui-server';
import { resolveDynamicConfig, type DynamicConfigValues } from './common/dynamic-config';
import { silentLogger, type Logger } from './common/logger';
import { VirtualClock, systemClock } from './engine/time/clock';
import { TimeSkipper } from './engine/time/time-skipping';
import { HistoryEngine } from './engine/history-engine';
import { NamespaceRegistry } from './engine/namespaces';
import { runLimitsOf, searchAttributeLimitsOf } from './engine/state/run-limits';
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
  /**
   * TLS for the gRPC frontend, the HTTP API and the UI (`--tls-cert-path`, `--tls-key-path`, `--tls-ca-path`): the
   * certificate and key as paths or PEM; with a CA, clients must present a certificate it signs (mTLS).
   */
  tls?: ServerTlsOptions;
  /**
   * API keys (`--api-key`): given, every call (gRPC, HTTP API, the UI's `/api/v1`) must carry one as
   * `authorization: Bearer <key>` (the SDKs' `apiKey` option), except health checks and GetSystemInfo. A key with
   * `namespaces` may act on those namespaces only.
   */
  apiKeys?: ApiKeySpec[];
  /** @internal Storage faults (disk full, I/O error) a spec injects into the store's writes and commits. */
  storageFaults?: StorageFaults;
}

export type { ApiKeySpec, ServerTlsOptions };

/** A listener the server stops gracefully: drain (no new calls), wait for the calls under way, then close. */
interface Listener {
  beginDrain(): void;
  idle(): Promise<void>;
  readonly callsInFlight: number;
  close(): Promise<void>;
}

/** How shutdown goes: where it is logged and how long calls under way may take (`frontend.shutdownDrainDuration`). */
interface ShutdownOptions {
  logger: Logger;
  drainMs: number;
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
    private readonly listeners: Listener[],
    private readonly engine: HistoryEngine,
    private readonly scheduler: Scheduler,
    private readonly store: Store,
    private readonly shutdown: ShutdownOptions,
  ) {}

  static async start(options: HourglassServerOptions = {}): Promise<HourglassServer> {
    const ip = options.ip ?? '127.0.0.1';
    const logger = options.logger ?? silentLogger;
    // Checked before the database is opened: a wrong file path stops start-up with nothing touched.
    const tls = options.tls && loadServerTls(options.tls);
    const authorizer = options.apiKeys?.length ? new ApiKeyAuthorizer(checkApiKeys(options.apiKeys)) : undefined;
    warnIfExposed(
      logger,
      [ip, ...(options.uiIp !== undefined && options.uiPort !== undefined ? [options.uiIp] : [])],
      tls !== undefined,
      authorizer !== undefined,
    );
    const { config, ignoredKeys } = resolveDynamicConfig(options.dynamicConfig);
    for (const key of ignoredKeys) logger.debug('dynamic config key not used by Hourglass', { key });
    const store = new CachedStore(new SqliteStore({ filename: options.dbFilename, pragmas: options.sqlitePragmas, faults: options.storageFaults }));
    try {
      const namespaces = new NamespaceRegistry(store, () => systemClock.now(), config['limit.maxIDLength']);
      await namespaces.load();
      const searchAttributes = new SearchAttributeRegistry(store, searchAttributeLimitsOf(config));
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
        memoSizeLimits: { warnBytes: config['limit.memoSize.warn'], errorBytes: config['limit.memoSize.error'] },
        maxIdLength: config['limit.maxIDLength'],
      };
      const frontend = new GrpcFrontend({ logger, context, onRpc: options.onRpc, tls, authorizer });
      // Built only for an HTTP or UI listener: generating the routes costs start-up time the SDKs' servers do not need.
      let api: HttpApiHandler | undefined;
      const apiHandler = (): HttpApiHandler => (api ??= new HttpApiHandler({ logger, context, corsOrigins: options.httpCorsOrigins, authorizer }));
      const listeners: Listener[] = [frontend];
      let port: number;
      let httpAddress: string | undefined;
      let uiAddress: string | undefined;
      try {
        port = await frontend.listen(ip, options.port ?? 7233);
        if (options.httpPort !== undefined) {
          const handler = apiHandler();
          const http = new HttpListener((req, res) => handler.handle(req, res), tls);
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
            tls,
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
      // As Temporal's frontend, the drain lasts max(1 s, frontend.shutdownDrainDuration).
      const shutdown = { logger, drainMs: Math.max(1000, config['frontend.shutdownDrainDuration']) };
      const server = new HourglassServer(hostPort(ip, port), port, httpAddress, uiAddress, listeners, engine, scheduler, store, shutdown);
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

  /** Calls the listeners are answering now (gRPC, HTTP API, UI). */
  get callsInFlight(): number {
    return this.listeners.reduce((n, l) => n + l.callsInFlight, 0);
  }

  /** Counters for tests and operators, e.g. how many workflow tasks carried the full history. */
  get stats(): Readonly<HistoryEngine['stats']> {
    return this.engine.stats;
  }

  /**
   * Graceful shutdown: no new connections or calls (a call on an open connection answers UNAVAILABLE), open task
   * polls answer empty and history and update long polls with what they have, timers and schedules stop firing; calls
   * under way are answered, for at most the drain duration (`frontend.shutdownDrainDuration`, at least 1 s, as in
   * Temporal), after which those left are cut (never acknowledged, so their clients retry them). Then the database
   * closes: commits already made are flushed, and SQLite checkpoints its WAL. Every call shares one promise.
   */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    const { logger, drainMs } = this.shutdown;
    const startedAt = performance.now();
    logger.info('shutting down', { drainMs });
    clearInterval(this.retention);
    for (const listener of this.listeners) listener.beginDrain();
    this.scheduler.close();
    this.engine.close();
    const expiry = new AbortController();
    const timer = setTimeout(() => expiry.abort(), drainMs);
    await this.drained(expiry.signal);
    clearTimeout(timer);
    const drained = !expiry.signal.aborted;
    if (!drained) logger.warn('drain time expired, cutting what is left', { drainMs, calls: this.callsInFlight });
    await Promise.all(this.listeners.map((l) => l.close()));
    await this.store.close();
    logger.info('stopped', { ms: Math.round(performance.now() - startedAt), drained });
  }

  /** Resolves once the calls under way are answered and the changes they or timers and schedules set off are done, or `expiry` aborts. */
  private async drained(expiry: AbortSignal): Promise<void> {
    const expired = new Promise<void>((resolve) => expiry.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([Promise.all(this.listeners.map((l) => l.idle())), expired]);
    await this.engine.idle(expiry);
    while (this.scheduler.busyUntil() > 0 && !expiry.aborted) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.engine.idle(expiry);
  }
}

/** A key the SDKs can send as `Bearer <key>`: not empty, no whitespace. */
function checkApiKeys(keys: ApiKeySpec[]): ApiKeySpec[] {
  for (const [i, { key }] of keys.entries()) {
    if (!/^\S+$/.test(key)) throw new Error(`API key #${i + 1} is empty or contains whitespace: it cannot travel as "authorization: Bearer <key>"`);
  }
  return keys;
}

/** Anyone who can reach a non-loopback address can start and read workflows unless TLS and API keys stand in the way. */
function warnIfExposed(logger: Logger, ips: string[], tls: boolean, apiKeys: boolean): void {
  const exposed = ips.filter((ip) => !isLoopback(ip));
  if (exposed.length === 0 || (tls && apiKeys)) return;
  const missing = [tls ? undefined : 'TLS (--tls-cert-path, --tls-key-path)', apiKeys ? undefined : 'API keys (--api-key)'].filter(Boolean).join(' or ');
  logger.warn(`listening on a non-loopback address without ${missing}: anyone who can reach it can read, start and end workflows`, {
    addresses: exposed,
  });
}

function hostPort(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

function toMs(time: Date | number | undefined): number | undefined {
  return time instanceof Date ? time.getTime() : time;
}
