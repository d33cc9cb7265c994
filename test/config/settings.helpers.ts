import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError } from '../../src/config/settings.error';
import { LoadSettingsOptions, loadSettings } from '../../src/config/settings.loader';
import { Settings } from '../../src/config/settings';

/** Temporary directories for settings files, removed by `cleanup()`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  create(): string {
    const dir = mkdtempSync(join(tmpdir(), 'dorc-config-'));
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export function writeFile(dir: string, name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** loadSettings with an empty environment and a fixed host name unless given. */
export function load(cwd: string, options: LoadSettingsOptions = {}): Settings {
  return loadSettings({ env: {}, hostname: 'test-host', cwd, ...options });
}

/** The problems loadSettings reports; fails the test when it does not throw SettingsError. */
export function problemsOf(cwd: string, options: LoadSettingsOptions = {}): string[] {
  try {
    load(cwd, options);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('expected loadSettings to throw SettingsError');
}

export function appSettings(settings: Record<string, unknown>): Record<string, unknown> {
  return { AppSettings: settings };
}
