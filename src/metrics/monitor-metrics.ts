import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The monitor's Prometheus metrics (`dorc_monitor_*`). Labels never carry secrets. */
export class MonitorMetrics {
  readonly registry = new Registry();
  readonly locksHeld = new Gauge({
    name: 'dorc_monitor_locks_held',
    help: 'Environment locks held by this replica',
    labelNames: ['environment'],
    registers: [this.registry],
  });
  readonly lockAcquisitions = new Counter({
    name: 'dorc_monitor_lock_acquisitions_total',
    help: 'Lock acquisition attempts by result (acquired, busy, unavailable)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly lockAcquireSeconds = new Histogram({
    name: 'dorc_monitor_lock_acquire_seconds',
    help: 'Time to acquire (or be refused) an environment lock',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly locksLost = new Counter({
    name: 'dorc_monitor_locks_lost_total',
    help: 'Locks lost while held, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly fencingRejections = new Counter({
    name: 'dorc_monitor_fencing_rejections_total',
    help: 'Runs stopped because the database refused a write under a superseded epoch',
    registers: [this.registry],
  });
  readonly requestsFinished = new Counter({
    name: 'dorc_monitor_requests_finished_total',
    help: 'Requests finished by this replica, by final status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly deploymentSeconds = new Histogram({
    name: 'dorc_monitor_deployment_duration_seconds',
    help: 'Duration of deployments run by this replica',
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly pollSeconds = new Histogram({
    name: 'dorc_monitor_poll_duration_seconds',
    help: 'Duration of one polling iteration',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly brokerUp = new Gauge({
    name: 'dorc_monitor_broker_connection_up',
    help: '1 when the lock connection to RabbitMQ is up (always 1 with HA disabled)',
    registers: [this.registry],
  });
  readonly tokenSecondsToExpiry = new Gauge({
    name: 'dorc_monitor_token_seconds_to_expiry',
    help: 'Seconds until the current OAuth token expires (absent without OAuth)',
    registers: [this.registry],
  });
  readonly recoveries = new Counter({
    name: 'dorc_monitor_recoveries_total',
    help: 'Orphaned requests recovered by this replica',
    registers: [this.registry],
  });

  constructor() {
    this.brokerUp.set(0);
  }
}
