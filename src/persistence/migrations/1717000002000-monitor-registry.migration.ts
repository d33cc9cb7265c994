import { MigrationInterface, QueryRunner } from 'typeorm';
import { SqlDialect } from '../sql-dialect';
import { DdlBuilder, TableDef } from './ddl.builder';

/**
 * One row per live replica: its last sign of life on the database clock (fair sharing,
 * /locks/cluster).
 */
export const MONITOR_TABLE: TableDef = {
  name: 'Monitor',
  columns: [
    { name: 'MonitorId', kind: 'varchar(255)', notNull: true },
    { name: 'LastSeenAt', kind: 'bigint', notNull: true },
    { name: 'StartedAt', kind: 'bigint', notNull: true },
  ],
  primaryKey: ['MonitorId'],
};

export class MonitorRegistry1717000002000 implements MigrationInterface {
  readonly name = 'MonitorRegistry1717000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ddl = new DdlBuilder(SqlDialect.typeOf(queryRunner.connection));
    await queryRunner.query(ddl.createTable(MONITOR_TABLE));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const ddl = new DdlBuilder(SqlDialect.typeOf(queryRunner.connection));
    await queryRunner.query(ddl.dropTable(MONITOR_TABLE.name));
  }
}
