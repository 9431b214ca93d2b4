export { HourglassServer, type HourglassServerOptions } from './server';
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFormat } from './common/logger';
