export { loadConfig, loadConfigOrExit, ConfigValidationError } from './config.schema';
export type { AppConfig, DingTalkCredentials, LogLevel } from './config.schema';
export { HotlineConfigModule, APP_CONFIG } from './config.module';
export { loggerParams } from './logger-params';
