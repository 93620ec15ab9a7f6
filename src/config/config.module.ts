import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { APP_CONFIG_NAMESPACE, AppConfig } from './app-config';

/**
 * Makes the validated configuration available everywhere: as the typed `AppConfig` token (what services
 * inject) and through @nestjs/config's ConfigService under `app` (for code that prefers it). The config is
 * validated before the application is created (see createApp), so a bad environment never starts Nest.
 * process.env is not read here: `skipProcessEnv` keeps ConfigService from falling back to it.
 */
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [registerAs(APP_CONFIG_NAMESPACE, () => ({ ...config }))],
        }),
      ],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
