import { Controller, Get } from '@nestjs/common';
import { ClusterView } from './cluster.view';
import { LocksView } from './locks.view';

/**
 * Who holds what: this replica (`/locks`) and every replica, from the database (`/locks/cluster`).
 */
@Controller('locks')
export class LocksController {
  constructor(
    private readonly replica: LocksView,
    private readonly cluster: ClusterView,
  ) {}

  @Get()
  locks() {
    return this.replica.describe();
  }

  @Get('cluster')
  clusterView() {
    return this.cluster.describe();
  }
}
