import { Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'ProjectComponent', schema: 'deploy' })
export class ProjectComponentEntity {
  @PrimaryColumn({ name: 'ProjectId', type: 'int' })
  projectId!: number;

  @PrimaryColumn({ name: 'ComponentId', type: 'int' })
  componentId!: number;
}
