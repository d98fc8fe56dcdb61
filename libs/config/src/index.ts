export { loadConfig, loadConfigOrExit, productionIssues, ConfigValidationError } from './config.schema';
export type { AppConfig, DingTalkCredentials, LoadConfigOptions, LogLevel } from './config.schema';
export { HotlineConfigModule, APP_CONFIG } from './config.module';
export { loggerParams } from './logger-params';
