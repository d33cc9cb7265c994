import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'Project', schema: 'deploy' })
export class ProjectEntity {
  @PrimaryGeneratedColumn({ name: 'Id' })
  id!: number;

  @Column({ name: 'Name', type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'Description', type: 'text', nullable: true })
  description!: string | null;
}
