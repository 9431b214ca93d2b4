/** A small leveled logger; the CLI picks level and format, embedders pass their own or stay silent. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'never';
export type LogFormat = 'text' | 'json' | 'pretty';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50, never: 100 };

export function createLogger(
  level: LogLevel = 'info',
  format: LogFormat = 'text',
  write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Logger {
  const emit = (lvl: Exclude<LogLevel, 'fatal' | 'never'>, message: string, fields?: Record<string, unknown>): void => {
    if (rank[lvl] < rank[level]) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level: lvl, msg: message, ...fields }));
    } else {
      const extra = fields
        ? ' ' +
          Object.entries(fields)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ')
        : '';
      write(`${time} ${lvl.toUpperCase()} ${message}${extra}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = createLogger('never');
