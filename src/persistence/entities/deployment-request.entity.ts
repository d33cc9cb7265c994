import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber, bitToBoolean } from './transformers';

/** Request statuses of the original DOrc database. */
export const REQUEST_STATUSES = [
  'Pending',
  'Requesting',
  'Running',
  'Completed',
  'Failed',
  'Errored',
  'Cancelling',
  'Cancelled',
  'Restarting',
  'Abandoned',
  'Paused',
  'WaitingConfirmation',
  'Confirmed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const FINAL_REQUEST_STATUSES: readonly RequestStatus[] = [
  'Completed',
  'Failed',
  'Errored',
  'Cancelled',
  'Abandoned',
];

@Entity({ name: 'DeploymentRequest', schema: 'deploy' })
export class DeploymentRequestEntity {
  @PrimaryGeneratedColumn({ name: 'Id' })
  id!: number;

  @Column({ name: 'RequestDetails', type: 'text', nullable: true })
  requestDetails!: string | null;

  @Column({ name: 'UserName', type: 'varchar', length: 255, nullable: true })
  userName!: string | null;

  @Column({ name: 'RequestedTime', type: Date, nullable: true })
  requestedTime!: Date | null;

  @Column({ name: 'StartedTime', type: Date, nullable: true })
  startedTime!: Date | null;

  @Column({ name: 'CompletedTime', type: Date, nullable: true })
  completedTime!: Date | null;

  @Column({ name: 'Status', type: 'varchar', length: 32 })
  status!: RequestStatus;

  @Column({ name: 'Log', type: 'text', nullable: true })
  log!: string | null;

  @Column({ name: 'IsProd', transformer: bitToBoolean })
  isProd!: boolean;

  @Column({ name: 'Project', type: 'varchar', length: 255, nullable: true })
  project!: string | null;

  @Column({ name: 'Environment', type: 'varchar', length: 255, nullable: true })
  environment!: string | null;

  @Column({ name: 'BuildNumber', type: 'varchar', length: 255, nullable: true })
  buildNumber!: string | null;

  @Column({ name: 'Components', type: 'text', nullable: true })
  components!: string | null;

  @Column({ name: 'UNCLogPath', type: 'varchar', length: 1024, nullable: true })
  uncLogPath!: string | null;

  @Column({ name: 'CancelledBy', type: 'varchar', length: 255, nullable: true })
  cancelledBy!: string | null;

  @Column({ name: 'CancelledTime', type: Date, nullable: true })
  cancelledTime!: Date | null;

  @Column({ name: 'EnvironmentOwnerEmail', type: 'varchar', length: 255, nullable: true })
  environmentOwnerEmail!: string | null;

  /** HA: the monitor id that claimed the request (added by migration, not in the original). */
  @Column({ name: 'OwnerId', type: 'varchar', length: 255, nullable: true })
  ownerId!: string | null;

  /** HA: the environment fencing epoch under which the owner claimed it. */
  @Column({ name: 'Epoch', type: 'bigint', nullable: true, transformer: bigintToNumber })
  epoch!: number | null;

  /** HA: lease expiry in database-clock milliseconds since 1970; renewed by the owner. */
  @Column({ name: 'LeaseExpiresAt', type: 'bigint', nullable: true, transformer: bigintToNumber })
  leaseExpiresAt!: number | null;

  /** How many times the request was started (recoveries make it run again). */
  @Column({ name: 'Attempt', type: 'int', default: 0 })
  attempt!: number;
}
