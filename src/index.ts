export { HourglassServer, type HourglassServerOptions } from './server';
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFormat } from './common/logger';
export { DYNAMIC_CONFIG_SETTINGS, type DynamicConfigKey, type DynamicConfigValues } from './common/dynamic-config';
