import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loggingOptions } from '../config/logging.options';
import { secretValues } from '../config/redact';
import type { Settings } from '../config/settings';
import { loadSettings } from '../config/settings.loader';
import { AppLogger } from '../logging/app-logger';
import { NestLoggerAdapter } from '../logging/nest-logger.adapter';
import { openDataSource } from '../persistence/data-source.factory';
import { MonitorRuntime } from '../runtime/monitor-runtime';
import { messagingModules } from '../events/messaging.module';

const logger = new AppLogger('Monitor');

/** `dorc-monitor start`: validated settings, database, HTTP, then the scheduler. */
export async function startMonitor(configPath?: string): Promise<void> {
  const settings = loadSettings({ configPath });
  AppLogger.configure(loggingOptions(settings.monitorId, secretValues(settings)));
  const dataSource = await openDataSource(settings.database, {
    runMigrations: settings.database.runMigrations,
  });
  const runtime = new MonitorRuntime(settings, dataSource);
  const app = await NestFactory.create(AppModule.register(runtime, messagingModules(runtime)), {
    logger: new NestLoggerAdapter(),
    abortOnError: false,
  });
  await app.listen(settings.http.port, settings.http.host);
  logger.log('HTTP listening', { host: settings.http.host, port: settings.http.port });
  await runtime.start();
  handleSignals(settings, async () => {
    await runtime.stop();
    await app.close();
    await dataSource.destroy();
  });
}

/**
 * SIGTERM/SIGINT: stop taking work, grace period, release locks, exit 0. A second signal forces
 * exit.
 */
function handleSignals(settings: Settings, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('Second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.log('Shutdown requested', { signal, graceSeconds: settings.shutdownGraceSeconds });
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error('Shutdown failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
