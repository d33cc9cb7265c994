/** Lock and request events published for other replicas and outside tools. */
export abstract class MonitorEvents {
  abstract requestStatus(requestId: number, status: string, environment: string): void;
  abstract lock(environment: string, event: 'acquired' | 'released' | 'lost'): void;
  /** Called when another replica released an environment lock. */
  abstract onLockReleased(listener: (environment: string) => void): void;
}

/** Used with HA disabled: nothing to tell anyone. */
export class NoopMonitorEvents extends MonitorEvents {
  requestStatus(): void {}
  lock(): void {}
  onLockReleased(): void {}
}
