import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './transformers';

/**
 * HA fencing: one row per environment. A replica that takes an environment gets the next epoch;
 * every status write of its runs checks that the epoch and owner here are still its own.
 */
@Entity({ name: 'EnvironmentLock', schema: 'deploy' })
export class EnvironmentLockEntity {
  @PrimaryColumn({ name: 'Environment', type: 'varchar', length: 255 })
  environment!: string;

  @Column({ name: 'Epoch', type: 'bigint', transformer: bigintToNumber })
  epoch!: number;

  @Column({ name: 'OwnerId', type: 'varchar', length: 255, nullable: true })
  ownerId!: string | null;

  /** Database-clock milliseconds when the current owner took the environment. */
  @Column({ name: 'AcquiredAt', type: 'bigint', nullable: true, transformer: bigintToNumber })
  acquiredAt!: number | null;
}
