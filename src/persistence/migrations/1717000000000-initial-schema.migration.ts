import { MigrationInterface, QueryRunner } from 'typeorm';
import { SqlDialect } from '../sql-dialect';
import { DdlBuilder } from './ddl.builder';
import { DORC_INDEXES, DORC_TABLES } from './dorc-tables';

/** The original DOrc tables in schema `deploy`; a no-op for the parts that already exist. */
export class InitialSchema1717000000000 implements MigrationInterface {
  readonly name = 'InitialSchema1717000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ddl = new DdlBuilder(SqlDialect.typeOf(queryRunner.connection));
    const statements = [
      ...ddl.createSchema(),
      ...DORC_TABLES.map((t) => ddl.createTable(t)),
      ...DORC_INDEXES.map((i) => ddl.createIndex(i)),
    ];
    for (const sql of statements) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const ddl = new DdlBuilder(SqlDialect.typeOf(queryRunner.connection));
    // Indexes go with their tables; the schema stays, it may hold tables that are not ours.
    const tables = [...DORC_TABLES].reverse();
    for (const table of tables) await queryRunner.query(ddl.dropTable(table.name));
  }
}
