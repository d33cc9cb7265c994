import { MonitorEvents } from '../events/monitor-events';

/**
 * Forwards events to the real publisher once the messaging connection exists (it is created by
 * Nest after the scheduler); before that, and with HA off, events go nowhere.
 */
export class DeferredEvents extends MonitorEvents {
  private target?: MonitorEvents;
  private readonly releaseListeners: Array<(environment: string) => void> = [];

  attach(target: MonitorEvents): void {
    this.target = target;
    for (const listener of this.releaseListeners) target.onLockReleased(listener);
  }

  requestStatus(requestId: number, status: string, environment: string): void {
    this.target?.requestStatus(requestId, status, environment);
  }

  lock(environment: string, event: 'acquired' | 'released' | 'lost'): void {
    this.target?.lock(environment, event);
  }

  onLockReleased(listener: (environment: string) => void): void {
    this.releaseListeners.push(listener);
    this.target?.onLockReleased(listener);
  }
}
