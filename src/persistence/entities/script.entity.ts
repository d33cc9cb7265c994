import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bitToBoolean } from './transformers';

@Entity({ name: 'Script', schema: 'deploy' })
export class ScriptEntity {
  @PrimaryGeneratedColumn({ name: 'Id' })
  id!: number;

  @Column({ name: 'Name', type: 'varchar', length: 255 })
  name!: string;

  /** Relative to ScriptRoot. */
  @Column({ name: 'Path', type: 'varchar', length: 1024 })
  path!: string;

  @Column({ name: 'NonProdOnly', transformer: bitToBoolean })
  nonProdOnly!: boolean;
}
