import { InitialSchema1717000000000 } from './1717000000000-initial-schema.migration';
import { HighAvailability1717000001000 } from './1717000001000-high-availability.migration';
import { MonitorRegistry1717000002000 } from './1717000002000-monitor-registry.migration';

/** Every migration, oldest first. Classes, not globs: works the same from src (tests) and dist. */
export const ALL_MIGRATIONS = [
  InitialSchema1717000000000,
  HighAvailability1717000001000,
  MonitorRegistry1717000002000,
];
