import { DynamicModule, Global, Module } from '@nestjs/common';
import { Settings, SETTINGS } from './settings';

/**
 * Makes the already loaded and validated settings injectable everywhere as `SETTINGS`. Loading
 * happens before Nest starts so that a bad configuration exits with code 78 and no half-built app.
 */
@Global()
@Module({})
export class DorcConfigModule {
  static forSettings(settings: Settings): DynamicModule {
    return {
      module: DorcConfigModule,
      global: true,
      providers: [{ provide: SETTINGS, useValue: settings }],
      exports: [SETTINGS],
    };
  }
}
