import { TestDatabase, withPostgres, withSqlite } from '../../test/support/databases';
import { parseCatalogText } from '../catalog/catalog-file.loader';
import { CatalogService } from '../catalog/catalog.service';
import { ComponentEntity } from '../persistence/entities/component.entity';
import {
  DeploymentRequestEntity,
  REQUEST_STATUSES,
  RequestStatus,
} from '../persistence/entities/deployment-request.entity';
import { DeploymentResultEntity } from '../persistence/entities/deployment-result.entity';
import { parseRequestDetails } from './request-details';
import { RequestNotFoundError } from './request-not-found.error';
import { RequestService } from './request.service';
import { SubmitError } from './submit.error';

const CATALOG = parseCatalogText(
  `
components: [{ name: Web }, { name: Db }, { name: Other }]
environments:
  - { name: QA, isProd: false }
  - { name: Prod, isProd: true, ownerEmail: ops@example.com }
projects:
  - { name: App, components: [Web, Db] }
  - { name: Side, components: [Other] }
`,
  'catalog.yaml',
);

describe.each([
  ['sqlite', withSqlite],
  ['postgres', withPostgres],
] as const)('RequestService on %s', (_type, open) => {
  let db: TestDatabase;
  let service: RequestService;

  beforeAll(async () => {
    db = await open();
    await new CatalogService().apply(db.dataSource, CATALOG);
    service = new RequestService(db.dataSource);
  });

  afterAll(async () => {
    await db.cleanup();
  });

  const requestCount = () => db.dataSource.manager.count(DeploymentRequestEntity);

  describe('submit', () => {
    it('creates a Pending request with the columns and the RequestDetails XML', async () => {
      const before = Date.now();
      const id = await service.submit({
        project: 'App',
        environment: 'Prod',
        components: ['Web', 'Db'],
        buildNumber: '1.2.3',
        properties: { Url: 'https://x/?a=1&b=$B$' },
        userName: 'alice',
        componentsToSkip: ['Db'],
      });

      const row = await db.dataSource.manager.findOneByOrFail(DeploymentRequestEntity, { id });
      expect(row).toMatchObject({
        status: 'Pending',
        isProd: true,
        project: 'App',
        environment: 'Prod',
        buildNumber: '1.2.3',
        components: 'Web,Db',
        userName: 'alice',
        environmentOwnerEmail: 'ops@example.com',
        attempt: 0,
        ownerId: null,
      });
      expect(row.requestedTime!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(parseRequestDetails(row.requestDetails!)).toEqual({
        environmentName: 'Prod',
        components: ['Web', 'Db'],
        componentsToSkip: ['Db'],
        buildDetail: { project: 'App', buildNumber: '1.2.3' },
        properties: [{ name: 'Url', value: 'https://x/?a=1&b=$B$' }],
      });
    });

    it.each([
      [{ project: 'Nope' }, "unknown project 'Nope'"],
      [{ environment: 'Nowhere' }, "unknown environment 'Nowhere'"],
      [{ components: ['Web', 'Ghost'] }, "unknown component 'Ghost'"],
      [{ components: ['Other'] }, "component 'Other' is not in project 'App'"],
      [{ components: [] }, 'no components given'],
      [{ componentsToSkip: ['Ghost'] }, "unknown component to skip 'Ghost'"],
    ])('rejects %j, naming what is wrong, and creates nothing', async (change, message) => {
      const before = await requestCount();
      const submit = service.submit({
        project: 'App',
        environment: 'QA',
        components: ['Web'],
        ...change,
      });

      await expect(submit).rejects.toThrow(SubmitError);
      await expect(submit).rejects.toThrow(message);
      expect(await requestCount()).toBe(before);
    });

    it('reports every problem at once', async () => {
      await expect(
        service.submit({ project: 'Nope', environment: 'Nowhere', components: ['Ghost'] }),
      ).rejects.toThrow(
        "unknown project 'Nope'; unknown environment 'Nowhere'; unknown component 'Ghost'",
      );
    });
  });

  describe('getStatus', () => {
    it('returns the request and its results with component names, in order', async () => {
      const id = await service.submit({
        project: 'App',
        environment: 'QA',
        components: ['Web', 'Db'],
      });
      const web = await db.dataSource.manager.findOneByOrFail(ComponentEntity, { name: 'Web' });
      const dbc = await db.dataSource.manager.findOneByOrFail(ComponentEntity, { name: 'Db' });
      await db.dataSource.manager.insert(DeploymentResultEntity, [
        { deploymentRequestId: id, componentId: web.id, status: 'Complete' },
        { deploymentRequestId: id, componentId: dbc.id, status: 'Running' },
      ]);

      const view = await service.getStatus(id);

      expect(view.request).toMatchObject({ id, status: 'Pending' });
      expect(view.results.map((r) => [r.componentName, r.status])).toEqual([
        ['Web', 'Complete'],
        ['Db', 'Running'],
      ]);
    });

    it('throws RequestNotFoundError for an unknown id', async () => {
      await expect(service.getStatus(987654)).rejects.toThrow(RequestNotFoundError);
    });
  });

  describe('cancel and restart', () => {
    async function requestIn(status: RequestStatus): Promise<number> {
      const id = await service.submit({ project: 'App', environment: 'QA', components: ['Web'] });
      await db.dataSource.manager.update(DeploymentRequestEntity, { id }, { status });
      return id;
    }
    const statusOf = async (id: number) =>
      (await db.dataSource.manager.findOneByOrFail(DeploymentRequestEntity, { id })).status;

    const CANCELLABLE = ['Pending', 'Confirmed', 'Requesting', 'Running', 'Paused'];
    const RESTARTABLE = ['Completed', 'Failed', 'Errored', 'Cancelled', 'Abandoned', 'Paused'];

    it.each(REQUEST_STATUSES.map((s) => [s]))('cancel from %s', async (status) => {
      const id = await requestIn(status);
      const outcome = await service.requestCancel(id, 'bob');

      if (CANCELLABLE.includes(status)) {
        expect(outcome).toMatchObject({ ok: true, outcome: 'changed', status });
        const row = await db.dataSource.manager.findOneByOrFail(DeploymentRequestEntity, { id });
        expect(row).toMatchObject({ status: 'Cancelling', cancelledBy: 'bob' });
        expect(row.cancelledTime).toBeInstanceOf(Date);
      } else {
        expect(outcome).toEqual({
          ok: false,
          outcome: 'not-allowed',
          status,
          message: `Request ${id} is ${status} and cannot be cancelled`,
        });
        expect(await statusOf(id)).toBe(status);
      }
    });

    it.each(REQUEST_STATUSES.map((s) => [s]))('restart from %s', async (status) => {
      const id = await requestIn(status);
      const outcome = await service.requestRestart(id);

      expect(outcome.ok).toBe(RESTARTABLE.includes(status));
      expect(await statusOf(id)).toBe(outcome.ok ? 'Restarting' : status);
      if (!outcome.ok)
        expect(outcome.message).toBe(`Request ${id} is ${status} and cannot be restarted`);
    });

    it('says when the request does not exist', async () => {
      expect(await service.requestCancel(987654, 'bob')).toMatchObject({
        ok: false,
        outcome: 'not-found',
      });
      expect(await service.requestRestart(987654)).toMatchObject({
        ok: false,
        outcome: 'not-found',
      });
    });

    it('never overwrites a status another writer set first (compare-and-set)', async () => {
      const id = await requestIn('Running');
      // Many cancels at once: the status changes once, each later one sees Cancelling.
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => service.requestCancel(id, 'bob')),
      );

      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok).every((o) => o.status === 'Cancelling')).toBe(true);
    });
  });
});
