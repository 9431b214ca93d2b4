import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package version: GetSystemInfo's server version and `hourglass --version`. Read from package.json, nowhere else. */
export const version: string = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
