import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package version, reported as the server version by GetSystemInfo. */
export const version: string = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
