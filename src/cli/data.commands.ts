import { Command } from 'commander';
import { loadCatalogFile } from '../catalog/catalog-file.loader';
import { CatalogService } from '../catalog/catalog.service';
import { maskedSettings } from '../config/settings.mask';
import { loadSettings } from '../config/settings.loader';
import { runMigrationsExclusively } from '../persistence/migration.runner';
import { print, withDatabase } from './cli-context';

const CONFIG_HELP = 'settings file (default: DORC_MONITOR_CONFIG or ./appsettings.json)';

/** `migrate`, `config`, `catalog apply`. */
export function registerDataCommands(program: Command): void {
  program
    .command('migrate')
    .description('create or update the database schema')
    .option('--config <file>', CONFIG_HELP)
    .action(async (opts: { config?: string }) => {
      await withDatabase(
        opts.config,
        async (ds) => {
          const applied = await runMigrationsExclusively(ds);
          print(
            applied.length
              ? `Applied: ${applied.map((m) => m.name).join(', ')}`
              : 'Schema is up to date.',
          );
        },
        { migrate: false },
      );
    });

  program
    .command('config')
    .description('print the effective settings, secrets masked')
    .option('--config <file>', CONFIG_HELP)
    .action((opts: { config?: string }) => {
      print(JSON.stringify(maskedSettings(loadSettings({ configPath: opts.config })), null, 2));
    });

  const catalog = program
    .command('catalog')
    .description('the catalogue of projects, environments, components, scripts');
  catalog
    .command('apply <file>')
    .description('create or update the catalogue from a JSON or YAML file (idempotent)')
    .option('--config <file>', CONFIG_HELP)
    .action(async (file: string, opts: { config?: string }) => {
      const doc = loadCatalogFile(file);
      await withDatabase(opts.config, async (ds) => {
        const result = await new CatalogService(ds).apply(doc);
        print(
          `Catalogue applied: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged.`,
        );
      });
    });
}
