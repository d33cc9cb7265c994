import { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { TestDatabase, withPostgres, withSqlite } from '../support/databases';

/** The dialect's SQL, executed for real. */
describe.each([
  ['sqlite', withSqlite],
  ['postgres', withPostgres],
] as const)('SqlDialect on %s', (type, open) => {
  let db: TestDatabase;
  let id: number;

  beforeAll(async () => {
    db = await open();
  });

  afterAll(async () => {
    await db.cleanup();
  });

  beforeEach(async () => {
    const inserted = await db.dataSource.manager.insert(DeploymentRequestEntity, {
      status: 'Pending',
      isProd: false,
      environment: 'QA',
      project: 'App',
    });
    id = Number(inserted.identifiers[0].id);
  });

  const t = () => db.dialect.table('DeploymentRequest');
  const c = (name: string) => db.dialect.col(name);
  const read = () => db.dataSource.manager.findOneByOrFail(DeploymentRequestEntity, { id });

  /** Pending -> Requesting only while the status is still Pending: the pickup's compare-and-set. */
  const claimSql = () => {
    const p = db.dialect.params();
    const sql =
      `UPDATE ${t()} SET ${c('Status')} = ${p.bind('Requesting')}, ${c('OwnerId')} = ${p.bind('m1')} ` +
      `WHERE ${c('Id')} = ${p.bind(id)} AND ${c('Status')} = ${p.bind('Pending')}`;
    return { sql, params: p.values };
  };

  it('reads the database clock in epoch milliseconds', async () => {
    const before = Date.now();
    const [row] = await db.dialect.select<{ now: string | number }>(
      db.dataSource,
      `SELECT ${db.dialect.nowMs()} AS ${c('now')}`,
    );
    const after = Date.now();

    expect(Number.isInteger(Number(row.now))).toBe(true);
    expect(Number(row.now)).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(row.now)).toBeLessThanOrEqual(after + 1000);
  });

  it('counts the rows a compare-and-set changed: 1 the first time, 0 after', async () => {
    const { sql, params } = claimSql();

    expect(await db.dialect.execute(db.dataSource, sql, params)).toBe(1);
    expect(await db.dialect.execute(db.dataSource, sql, params)).toBe(0);
    expect(await read()).toMatchObject({ status: 'Requesting', ownerId: 'm1' });
  });

  it('normalises structured runner results, and plain results where they carry a count', async () => {
    const { sql, params } = claimSql();
    const runner = db.dataSource.createQueryRunner();
    try {
      expect(db.dialect.affectedRows(await runner.query(sql, params, true))).toBe(1);
    } finally {
      await runner.release();
    }

    const plain: unknown = await db.dataSource.query(sql, params);
    if (type === 'postgres') {
      expect(db.dialect.affectedRows(plain)).toBe(0);
    } else {
      // SQLite's plain result is the last insert id, not a count: refused, never misread.
      expect(() => db.dialect.affectedRows(plain)).toThrow(/structured/);
    }
  });

  it('writes leases and timestamps on the database clock, read back by TypeORM', async () => {
    const p = db.dialect.params();
    const sql =
      `UPDATE ${t()} SET ${c('LeaseExpiresAt')} = ${db.dialect.nowMs()} + ${p.bind(30000)}, ` +
      `${c('StartedTime')} = ${db.dialect.nowTimestamp()} WHERE ${c('Id')} = ${p.bind(id)}`;

    expect(await db.dialect.execute(db.dataSource, sql, p.values)).toBe(1);

    const row = await read();
    expect(typeof row.leaseExpiresAt).toBe('number');
    expect(Math.abs(row.leaseExpiresAt! - 30000 - Date.now())).toBeLessThan(2000);
    expect(row.startedTime).toBeInstanceOf(Date);
    expect(Math.abs(row.startedTime!.getTime() - Date.now())).toBeLessThan(2000);
  });

  it('binds booleans and dates so that TypeORM reads the same values', async () => {
    const when = new Date('2024-02-03T04:05:06.789Z');
    const p = db.dialect.params();
    const sql =
      `UPDATE ${t()} SET ${c('IsProd')} = ${p.bind(true)}, ${c('CompletedTime')} = ${p.bind(when)} ` +
      `WHERE ${c('Id')} = ${p.bind(id)}`;

    await db.dialect.execute(db.dataSource, sql, p.values);

    expect(await read()).toMatchObject({ isProd: true, completedTime: when });
  });

  it('runs on a transaction’s manager, so a rollback undoes it', async () => {
    const { sql, params } = claimSql();
    await expect(
      db.dataSource.transaction(async (manager) => {
        expect(await db.dialect.execute(manager, sql, params)).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    expect((await read()).status).toBe('Pending');
  });
});
