import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse } from 'yaml';
import { TemplateEngine } from './mini-helm-engine';

/**
 * A small stand-in for `helm template`, for machines without helm: it loads a chart, merges
 * values files the way Helm does and renders every template with the Go-template subset in
 * mini-helm-parser.ts. It does not validate values against the schema; tests do that with ajv.
 */
export type Values = Record<string, unknown>;

export interface ChartMetadata {
  Name: string;
  Version: string;
  AppVersion: string;
  [key: string]: unknown;
}

export interface Release {
  name: string;
  namespace: string;
}

export interface RenderedChart {
  /** Rendered text of each manifest template, keyed by file name under templates/. */
  manifests: Map<string, string>;
  notes: string;
}

/** Reads YAML the way Helm's values loader does (YAML 1.1: `0555` is octal, `yes` is true). */
export function readYamlFile(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { version: '1.1' });
}

function isMap(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm's merge: maps merge deeply, anything else replaces, and `null` deletes the key. */
export function mergeValues(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else if (isMap(value) && isMap(merged[key])) merged[key] = mergeValues(merged[key], value);
    else merged[key] = value;
  }
  return merged;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

function chartMetadata(chartDir: string): ChartMetadata {
  const raw = readYamlFile(join(chartDir, 'Chart.yaml')) as Values;
  const metadata: ChartMetadata = { Name: '', Version: '', AppVersion: '' };
  for (const [key, value] of Object.entries(raw)) {
    const goName = key === 'apiVersion' ? 'APIVersion' : key[0].toUpperCase() + key.slice(1);
    metadata[goName] = value;
  }
  return metadata;
}

export class MiniHelm {
  private constructor(
    readonly chart: ChartMetadata,
    readonly defaultValues: Values,
    private readonly engine: TemplateEngine,
    private readonly templateNames: string[],
  ) {}

  static load(chartDir: string): MiniHelm {
    const chart = chartMetadata(chartDir);
    const defaults = (readYamlFile(join(chartDir, 'values.yaml')) ?? {}) as Values;
    const engine = new TemplateEngine();
    const names: string[] = [];
    const templatesDir = join(chartDir, 'templates');
    for (const file of listFiles(templatesDir).sort()) {
      const name = `${chart.Name}/templates/${relative(templatesDir, file)}`;
      engine.addFile(name, readFileSync(file, 'utf8'));
      names.push(name);
    }
    return new MiniHelm(chart, defaults, engine, names);
  }

  /** values.yaml with each override merged over it, in order. */
  values(...overrides: Values[]): Values {
    return overrides.reduce(mergeValues, this.defaultValues);
  }

  render(overrides: Values[] = [], release: Partial<Release> = {}): RenderedChart {
    const root = this.root(this.values(...overrides), release);
    const manifests = new Map<string, string>();
    let notes = '';
    for (const name of this.templateNames) {
      const file = basename(name);
      if (file.startsWith('_')) continue;
      const text = this.engine.render(name, { ...root, Template: this.templateInfo(name) });
      if (file === 'NOTES.txt') notes = text;
      else if (text.trim() !== '')
        manifests.set(name.slice(name.indexOf('/templates/') + 11), text);
    }
    return { manifests, notes };
  }

  private root(values: Values, release: Partial<Release>): Values {
    return {
      Values: values,
      Chart: this.chart,
      Release: {
        Name: release.name ?? 'dorc',
        Namespace: release.namespace ?? 'default',
        Service: 'Helm',
        IsInstall: true,
        IsUpgrade: false,
        Revision: 1,
      },
    };
  }

  private templateInfo(name: string): Values {
    return { Name: name, BasePath: `${this.chart.Name}/templates` };
  }
}
