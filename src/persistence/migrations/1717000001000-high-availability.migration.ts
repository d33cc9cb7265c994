import { MigrationInterface, QueryRunner } from 'typeorm';
import { SqlDialect } from '../sql-dialect';
import { ColumnDef, DdlBuilder } from './ddl.builder';
import { ENVIRONMENT_LOCK_TABLE, HA_REQUEST_COLUMNS } from './dorc-tables';

/** Additive HA columns (owner, fencing epoch, lease, attempt) and the fencing table. */
export class HighAvailability1717000001000 implements MigrationInterface {
  readonly name = 'HighAvailability1717000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ddl = new DdlBuilder(SqlDialect.typeOf(queryRunner.connection));
    for (const column of await missingColumns(queryRunner, ddl)) {
      await queryRunner.query(ddl.addColumn('DeploymentRequest', column));
    }
    await queryRunner.query(ddl.createTable(ENVIRONMENT_LOCK_TABLE));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const ddl = new DdlBuilder(SqlDialect.typeOf(queryRunner.connection));
    await queryRunner.query(ddl.dropTable(ENVIRONMENT_LOCK_TABLE.name));
    for (const column of [...HA_REQUEST_COLUMNS].reverse()) {
      for (const sql of ddl.dropColumn('DeploymentRequest', column)) await queryRunner.query(sql);
    }
  }
}

/**
 * SQLite has no ADD COLUMN IF NOT EXISTS, so look first; the other dialects guard in the
 * statement itself (which also keeps their SQL free of reads, so it can be generated offline).
 */
async function missingColumns(queryRunner: QueryRunner, ddl: DdlBuilder): Promise<ColumnDef[]> {
  if (ddl.type !== 'sqlite') return HA_REQUEST_COLUMNS;
  const rows: Array<{ name: string }> = await queryRunner.query(
    `SELECT name FROM pragma_table_info('DeploymentRequest')`,
  );
  const present = new Set(rows.map((r) => r.name));
  return HA_REQUEST_COLUMNS.filter((c) => !present.has(c.name));
}
