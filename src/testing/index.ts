/**
 * Test environments backed by an in-process Hourglass server: no download, no child process, a
 * clock of their own. Returns the SDK's own `TestWorkflowEnvironment`, so tests written for
 * `createTimeSkipping()` / `createLocal()` run unchanged.
 *
 * Requires the peer packages `@temporalio/testing`, `@temporalio/client` and `@temporalio/worker`.
 */
import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime } from '@temporalio/worker';
import type { DynamicConfigValues } from '../common/dynamic-config';
import type { Logger } from '../common/logger';
import { HourglassServer } from '../server';
import type { SearchAttributeType } from '../visibility/search-attribute-type';

export interface HourglassTestEnvironmentOptions {
  /** Virtual time that skips ahead while the test awaits a result or sleeps. Default true. */
  timeSkipping?: boolean;
  /** Where the virtual clock starts (time-skipping only). Default: now. */
  initialTime?: Date | number;
  /** Namespace for `env.client`; created with the server. Default `default`. */
  namespace?: string;
  /** More namespaces to create. */
  namespaces?: string[];
  /** Custom search attributes registered in every namespace before the promise resolves. */
  searchAttributes?: { name: string; type: SearchAttributeType }[];
  /** Server logs; silent by default. */
  logger?: Logger;
  /** Temporal dynamic config, as `HourglassServerOptions.dynamicConfig` (e.g. `{ 'limit.historyCount.suggestContinueAsNew': 10 }`). */
  dynamicConfig?: DynamicConfigValues;
}

/** A TestWorkflowEnvironment whose teardown also stops its in-process server. */
class HourglassTestWorkflowEnvironment extends TestWorkflowEnvironment {
  private hourglass: HourglassServer | undefined;

  /** An environment on a server that is already running (ours or any Temporal server). */
  static async connect(address: string, namespace: string, timeSkipping: boolean): Promise<HourglassTestWorkflowEnvironment> {
    // The SDK enables its TestService client through this option; it is how its own
    // createTimeSkipping() connects.
    const internal = { [InternalConnectionOptionsSymbol]: { supportsTestService: timeSkipping } };
    const nativeConnection = await NativeConnection.connect({ address, ...internal });
    const connection = await Connection.connect({ address, ...internal });
    return new HourglassTestWorkflowEnvironment(
      Runtime.instance(),
      { client: {}, server: { type: 'existing' }, plugins: [] },
      timeSkipping,
      'existing',
      connection,
      nativeConnection,
      namespace,
      address,
    );
  }

  static async start(options: HourglassTestEnvironmentOptions): Promise<HourglassTestWorkflowEnvironment> {
    const timeSkipping = options.timeSkipping ?? true;
    const namespace = options.namespace ?? 'default';
    const server = await HourglassServer.start({
      port: 0,
      namespaces: [namespace, ...(options.namespaces ?? [])].filter((n) => n !== 'default'),
      logger: options.logger,
      searchAttributes: options.searchAttributes,
      timeSkipping: timeSkipping ? { initialTime: options.initialTime } : false,
      dynamicConfig: options.dynamicConfig,
    });
    try {
      const env = await HourglassTestWorkflowEnvironment.connect(server.address, namespace, timeSkipping);
      env.hourglass = server;
      return env;
    } catch (err) {
      await server.close();
      throw err;
    }
  }

  /** The in-process server, e.g. to read `stats`. */
  get hourglassServer(): HourglassServer {
    if (!this.hourglass) throw new Error('environment is torn down');
    return this.hourglass;
  }

  override async teardown(): Promise<void> {
    await super.teardown();
    await this.hourglass?.close();
    this.hourglass = undefined;
  }
}

/**
 * Starts an in-process server on a free port and returns a TestWorkflowEnvironment connected to it.
 * With time skipping (the default) it behaves like `TestWorkflowEnvironment.createTimeSkipping()`.
 */
export function createTestWorkflowEnvironment(
  options: HourglassTestEnvironmentOptions = {},
): Promise<TestWorkflowEnvironment & { readonly hourglassServer: HourglassServer }> {
  return HourglassTestWorkflowEnvironment.start(options);
}

/**
 * A TestWorkflowEnvironment on a server that is already running at `address` (a separate Hourglass,
 * or a Temporal server; `timeSkipping` only if that server serves Temporal's TestService).
 * Teardown closes the connections, not the server.
 */
export function connectTestWorkflowEnvironment(
  address: string,
  options: { namespace?: string; timeSkipping?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  return HourglassTestWorkflowEnvironment.connect(address, options.namespace ?? 'default', options.timeSkipping ?? false);
}
