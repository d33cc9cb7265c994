import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { MonitorHealthIndicators } from './monitor-health.indicators';

/** Kubernetes probes. Liveness never depends on the database or the broker. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: MonitorHealthIndicators,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.checks.pollLoop()]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.checks.notShuttingDown(),
      () => this.checks.database(),
      () => this.checks.lockConnection(),
      () => this.checks.token(),
    ]);
  }

  @Get()
  @HealthCheck()
  all() {
    return this.health.check([
      () => this.checks.pollLoop(),
      () => this.checks.notShuttingDown(),
      () => this.checks.database(),
      () => this.checks.lockConnection(),
      () => this.checks.token(),
      () => this.checks.heldLocks(),
    ]);
  }
}
