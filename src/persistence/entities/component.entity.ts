import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bitToBoolean } from './transformers';

@Entity({ name: 'Component', schema: 'deploy' })
export class ComponentEntity {
  @PrimaryGeneratedColumn({ name: 'Id' })
  id!: number;

  @Column({ name: 'Name', type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'ParentId', type: 'int', nullable: true })
  parentId!: number | null;

  @Column({ name: 'IsEnabled', transformer: bitToBoolean })
  isEnabled!: boolean;

  @Column({ name: 'StopOnFailure', transformer: bitToBoolean })
  stopOnFailure!: boolean;

  @Column({ name: 'ScriptId', type: 'int', nullable: true })
  scriptId!: number | null;

  /** Free text kept from the original catalogue (e.g. "PowerShell"); the script path decides. */
  @Column({ name: 'ComponentType', type: 'varchar', length: 64, nullable: true })
  componentType!: string | null;
}
