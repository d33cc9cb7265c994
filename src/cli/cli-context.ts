import type { DataSource } from 'typeorm';
import type { Settings } from '../config/settings';
import { loadSettings } from '../config/settings.loader';
import { openDataSource } from '../persistence/data-source.factory';

/** Settings plus an open database for a one-shot command; always closed afterwards. */
export async function withDatabase<T>(
  configPath: string | undefined,
  work: (dataSource: DataSource, settings: Settings) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const settings = loadSettings({ configPath });
  const migrate = options.migrate ?? settings.database.runMigrations;
  const dataSource = await openDataSource(settings.database, { runMigrations: migrate });
  try {
    return await work(dataSource, settings);
  } finally {
    await dataSource.destroy();
  }
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
