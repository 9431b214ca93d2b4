/**
 * The Temporal SDK packages `hourglass-server/testing` builds on, loaded on first use rather than at import: they are
 * peer dependencies of the package (`@temporalio/testing` an optional one), so a project that lacks one should get a
 * message naming it and the install command, not Node's bare "Cannot find module".
 */
import type * as ClientPackage from '@temporalio/client';
import type * as ClientConnectionModule from '@temporalio/client/lib/connection';
import type * as TestingPackage from '@temporalio/testing';
import type * as WorkerPackage from '@temporalio/worker';

export interface TestingPeers {
  client: typeof ClientPackage;
  /** Holds the option through which the SDK's own createTimeSkipping() enables its TestService client. */
  clientConnection: typeof ClientConnectionModule;
  testing: typeof TestingPackage;
  worker: typeof WorkerPackage;
}

let peers: TestingPeers | undefined;

export function loadTestingPeers(): TestingPeers {
  peers ??= {
    client: requirePeer<typeof ClientPackage>('@temporalio/client'),
    clientConnection: requirePeer<typeof ClientConnectionModule>('@temporalio/client/lib/connection'),
    testing: requirePeer<typeof TestingPackage>('@temporalio/testing'),
    worker: requirePeer<typeof WorkerPackage>('@temporalio/worker'),
  };
  return peers;
}

function requirePeer<T>(specifier: string): T {
  try {
    // A guarded require, not an import statement: an import of an absent peer would fail as soon as this module loads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(specifier) as T;
  } catch (err) {
    const packageName = specifier.split('/').slice(0, 2).join('/');
    // Only the peer itself being absent: a module missing inside an installed peer is a different fault, rethrown as is.
    if (isModuleNotFound(err) && err.message.includes(`'${specifier}'`)) {
      throw new Error(
        `hourglass-server/testing needs the package ${packageName}, which is not installed in this project. ` +
          `Install it at the version of your other @temporalio packages: npm install --save-dev ${packageName}`,
        { cause: err },
      );
    }
    throw err;
  }
}

function isModuleNotFound(err: unknown): err is Error & { code: string } {
  return err instanceof Error && (err as { code?: unknown }).code === 'MODULE_NOT_FOUND';
}
