/**
 * Test environments backed by an in-process Hourglass server: no download, no child process, a
 * clock of their own. Returns the SDK's own `TestWorkflowEnvironment`, so tests written for
 * `createTimeSkipping()` / `createLocal()` run unchanged.
 *
 * Requires the peer packages `@temporalio/testing`, `@temporalio/client` and `@temporalio/worker`, loaded on the
 * first call (see `./peers`).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DynamicConfigValues } from '../common/dynamic-config';
import type { Logger } from '../common/logger';
import { HourglassServer } from '../server';
import type { SearchAttributeType } from '../visibility/search-attribute-type';
import { loadTestingPeers, type TestingPeers } from './peers';

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

let environmentClass: ReturnType<typeof defineEnvironmentClass> | undefined;

function hourglassEnvironmentClass(): ReturnType<typeof defineEnvironmentClass> {
  environmentClass ??= defineEnvironmentClass(loadTestingPeers());
  return environmentClass;
}

/** The subclass is made on first use because its base class comes from a peer package that may be absent. */
function defineEnvironmentClass({ client, clientConnection, testing, worker }: TestingPeers) {
  const { InternalConnectionOptionsSymbol } = clientConnection;
  const { NativeConnection, Runtime } = worker;
  const { Connection } = client;

  /** A TestWorkflowEnvironment whose teardown also stops its in-process server. */
  class HourglassTestWorkflowEnvironment extends testing.TestWorkflowEnvironment {
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
  return HourglassTestWorkflowEnvironment;
}

/**
 * Starts an in-process server on a free port and returns a TestWorkflowEnvironment connected to it.
 * With time skipping (the default) it behaves like `TestWorkflowEnvironment.createTimeSkipping()`.
 * Rejects naming the package if a peer it needs (`@temporalio/testing`, `client`, `worker`) is not installed.
 */
export async function createTestWorkflowEnvironment(
  options: HourglassTestEnvironmentOptions = {},
): Promise<TestWorkflowEnvironment & { readonly hourglassServer: HourglassServer }> {
  return hourglassEnvironmentClass().start(options);
}

/**
 * A TestWorkflowEnvironment on a server that is already running at `address` (a separate Hourglass,
 * or a Temporal server; `timeSkipping` only if that server serves Temporal's TestService).
 * Teardown closes the connections, not the server.
 */
export async function connectTestWorkflowEnvironment(
  address: string,
  options: { namespace?: string; timeSkipping?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  return hourglassEnvironmentClass().connect(address, options.namespace ?? 'default', options.timeSkipping ?? false);
}
