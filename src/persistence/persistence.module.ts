import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { SETTINGS, Settings } from '../config/settings';
import { createDataSourceOptions } from './data-source.factory';
import { runMigrationsExclusively } from './migration.runner';
import { SqlDialect } from './sql-dialect';

/**
 * The database connection for the app: TypeORM's `DataSource` (injectable everywhere) and the
 * `SqlDialect` for hand-written SQL. Needs `SETTINGS` from a global provider. With
 * `Database.RunMigrations` it applies pending migrations at start, one replica at a time.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [SETTINGS],
      useFactory: (settings: Settings) => ({
        ...createDataSourceOptions(settings.database),
        migrationsRun: settings.database.runMigrations,
      }),
      dataSourceFactory: initialize,
    }),
  ],
  providers: [
    {
      provide: SqlDialect,
      inject: [DataSource],
      useFactory: (ds: DataSource) => SqlDialect.of(ds),
    },
  ],
  exports: [SqlDialect],
})
export class PersistenceModule {}

/** TypeORM's own `migrationsRun` takes no lock; ours does, so it is switched off here. */
async function initialize(options?: DataSourceOptions): Promise<DataSource> {
  if (!options) throw new Error('PersistenceModule: no data source options');
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  if (!options.migrationsRun) return dataSource;
  try {
    await runMigrationsExclusively(dataSource);
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
