import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const RESULT_STATUSES = [
  'Pending',
  'Running',
  'Complete',
  'Warning',
  'Failed',
  'Cancelled',
  'Disabled',
] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

@Entity({ name: 'DeploymentResult', schema: 'deploy' })
export class DeploymentResultEntity {
  @PrimaryGeneratedColumn({ name: 'Id' })
  id!: number;

  @Column({ name: 'DeploymentRequestId', type: 'int' })
  deploymentRequestId!: number;

  @Column({ name: 'ComponentId', type: 'int' })
  componentId!: number;

  @Column({ name: 'Log', type: 'text', nullable: true })
  log!: string | null;

  @Column({ name: 'Status', type: 'varchar', length: 32 })
  status!: ResultStatus;

  @Column({ name: 'StartedTime', type: Date, nullable: true })
  startedTime!: Date | null;

  @Column({ name: 'CompletedTime', type: Date, nullable: true })
  completedTime!: Date | null;
}
