import { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { DeploymentResultEntity } from '../../src/persistence/entities/deployment-result.entity';
import { EnvironmentLockEntity } from '../../src/persistence/entities/environment-lock.entity';
import { ScriptEntity } from '../../src/persistence/entities/script.entity';
import { TestDatabase, withPostgres, withSqlite } from '../support/databases';

/** The entities against the migrated schema: every value comes back as it went in. */
describe.each([
  ['sqlite', withSqlite],
  ['postgres', withPostgres],
] as const)('entities on %s', (_type, open) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await open();
  });

  afterAll(async () => {
    await db.cleanup();
  });

  it('round-trips a deployment request with every column set', async () => {
    const request = {
      requestDetails: '<DeploymentRequestDetail/>',
      userName: 'alice',
      requestedTime: new Date('2024-01-02T03:04:05.678Z'),
      startedTime: new Date('2024-01-02T03:05:00.000Z'),
      completedTime: null,
      status: 'Running' as const,
      log: 'x'.repeat(10_000),
      isProd: true,
      project: 'App',
      environment: 'Prod – EU',
      buildNumber: '1.2.3',
      components: 'Web,Db',
      uncLogPath: null,
      cancelledBy: null,
      cancelledTime: null,
      environmentOwnerEmail: 'ops@example.com',
      ownerId: 'monitor-1',
      epoch: 2 ** 40,
      leaseExpiresAt: 1_893_456_000_123,
      attempt: 2,
    };
    const { identifiers } = await db.dataSource.manager.insert(DeploymentRequestEntity, request);

    const row = await db.dataSource.manager.findOneByOrFail(DeploymentRequestEntity, {
      id: identifiers[0].id,
    });
    expect(row).toEqual({ id: identifiers[0].id, ...request });
  });

  it('defaults Attempt to 0 and leaves the HA columns empty', async () => {
    const { identifiers } = await db.dataSource.manager.insert(DeploymentRequestEntity, {
      status: 'Pending',
      isProd: false,
    });

    const row = await db.dataSource.manager.findOneByOrFail(DeploymentRequestEntity, {
      id: identifiers[0].id,
    });
    expect(row).toMatchObject({ attempt: 0, ownerId: null, epoch: null, leaseExpiresAt: null });
  });

  it('round-trips results, fencing rows and booleans', async () => {
    const result = {
      deploymentRequestId: 1,
      componentId: 2,
      log: null,
      status: 'Warning' as const,
      startedTime: new Date(0),
      completedTime: null,
    };
    const { identifiers } = await db.dataSource.manager.insert(DeploymentResultEntity, result);
    expect(
      await db.dataSource.manager.findOneBy(DeploymentResultEntity, { id: identifiers[0].id }),
    ).toEqual({
      id: identifiers[0].id,
      ...result,
    });

    await db.dataSource.manager.insert(EnvironmentLockEntity, {
      environment: 'QA',
      epoch: 2 ** 35,
      ownerId: 'm',
      acquiredAt: 5,
    });
    expect(
      await db.dataSource.manager.findOneBy(EnvironmentLockEntity, { environment: 'QA' }),
    ).toEqual({
      environment: 'QA',
      epoch: 2 ** 35,
      ownerId: 'm',
      acquiredAt: 5,
    });

    await db.dataSource.manager.insert(ScriptEntity, {
      name: 's',
      path: 'a.sh',
      nonProdOnly: true,
    });
    expect(await db.dataSource.manager.findOneBy(ScriptEntity, { name: 's' })).toMatchObject({
      nonProdOnly: true,
    });
  });
});
