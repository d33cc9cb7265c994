import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { load, TempDirs } from '../../test/config/settings.helpers';
import { DorcConfigModule } from './config.module';
import { Settings, SETTINGS } from './settings';

@Injectable()
class SettingsConsumer {
  constructor(@Inject(SETTINGS) readonly settings: Settings) {}
}

/** A feature module that does not import DorcConfigModule: the module must be global. */
@Module({ providers: [SettingsConsumer] })
class FeatureModule {}

describe('DorcConfigModule', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('provides the loaded settings to every module', async () => {
    const settings = load(temp.create());

    const moduleRef = await Test.createTestingModule({
      imports: [DorcConfigModule.forSettings(settings), FeatureModule],
    }).compile();

    expect(moduleRef.get(SettingsConsumer).settings).toBe(settings);
    await moduleRef.close();
  });
});
