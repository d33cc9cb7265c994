import { Controller, Get, Header } from '@nestjs/common';
import { MonitorRuntime } from '../runtime/monitor-runtime';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly runtime: MonitorRuntime) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    const m = this.runtime.metrics;
    m.brokerUp.set(this.runtime.lock.isReady() ? 1 : 0);
    const validUntil = this.runtime.tokenClient?.state().validUntil;
    if (validUntil) m.tokenSecondsToExpiry.set((validUntil.getTime() - Date.now()) / 1000);
    return m.registry.metrics();
  }
}
