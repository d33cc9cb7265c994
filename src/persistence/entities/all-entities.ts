import { ComponentEntity } from './component.entity';
import { DeploymentRequestEntity } from './deployment-request.entity';
import { DeploymentResultEntity } from './deployment-result.entity';
import { EnvironmentLockEntity } from './environment-lock.entity';
import { EnvironmentEntity } from './environment.entity';
import { ProjectComponentEntity } from './project-component.entity';
import { ProjectEntity } from './project.entity';
import { ScriptEntity } from './script.entity';

export const ALL_ENTITIES = [
  DeploymentRequestEntity,
  DeploymentResultEntity,
  ProjectEntity,
  EnvironmentEntity,
  ComponentEntity,
  ProjectComponentEntity,
  ScriptEntity,
  EnvironmentLockEntity,
];
