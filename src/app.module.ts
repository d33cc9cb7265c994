import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DorcConfigModule } from './config/config.module';
import { ClusterView } from './health/cluster.view';
import { HealthController } from './health/health.controller';
import { LocksController } from './health/locks.controller';
import { LocksView } from './health/locks.view';
import { MetricsController } from './health/metrics.controller';
import { MonitorHealthIndicators } from './health/monitor-health.indicators';
import { OpenApiController } from './health/openapi.controller';
import { MonitorRuntime } from './runtime/monitor-runtime';

/** The HTTP side of a monitor: probes, lock status and metrics over an already built runtime. */
@Module({})
export class AppModule {
  static register(runtime: MonitorRuntime, extra: DynamicModule[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DorcConfigModule.forSettings(runtime.settings),
        TerminusModule.forRoot({ logger: false }),
        ...extra,
      ],
      controllers: [HealthController, LocksController, MetricsController, OpenApiController],
      providers: [
        { provide: MonitorRuntime, useValue: runtime },
        MonitorHealthIndicators,
        ClusterView,
        LocksView,
      ],
    };
  }
}
