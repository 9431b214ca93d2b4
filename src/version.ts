import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Hourglass's own version: `hourglass --version` and the ready line. Read from package.json, nowhere else. */
export const version: string = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The Temporal server release whose API and behaviour Hourglass implements: GetSystemInfo's and
 * GetClusterInfo's serverVersion, on which tools (the Temporal UI and CLI) gate features.
 *
 * Why this one: the SDK we are judged by is 1.24, whose @temporalio/proto is generated from the
 * temporalio/api protos vendored in its sdk-core (crates/protos/protos/api_upstream), a July 2026 API
 * newer than api v1.63.3 (it has PollWorkflowExecutionTimeSkipping). Temporal's stable 1.31.x builds
 * against api v1.62.8; the 1.32.0 pre-releases against v1.63.x, and sdk-core pins its integration tests
 * to the CLI dev server "v1.8.3-server-1.32.0-162.0" (.cargo/config.toml CLI_VERSION_OVERRIDE: no
 * stable CLI carries a new enough server). That server (tag v1.32.0-162.0, api v1.63.5) reports
 * headers.ServerVersion "1.32.0-162.0", and it is the source the update behaviour here is checked against.
 */
export const temporalServerVersion = '1.32.0-162.0';
