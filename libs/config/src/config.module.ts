import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AppConfig } from './config.schema';

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Registers the validated AppConfig (typed, injected with @Inject(APP_CONFIG)) and Nest's
 * ConfigModule over the same values. The entry point validates first so that bad settings end
 * the process with a list, not a stack trace.
 */
@Module({})
export class HotlineConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: HotlineConfigModule,
      global: true,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ app: config })] })],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
