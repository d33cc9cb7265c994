import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bitToBoolean } from './transformers';

@Entity({ name: 'Environment', schema: 'deploy' })
export class EnvironmentEntity {
  @PrimaryGeneratedColumn({ name: 'Id' })
  id!: number;

  @Column({ name: 'Name', type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'IsProd', transformer: bitToBoolean })
  isProd!: boolean;

  @Column({ name: 'OwnerEmail', type: 'varchar', length: 255, nullable: true })
  ownerEmail!: string | null;
}
