import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';

/** Static checks of the Dockerfile and .dockerignore (no docker engine runs here). */
const ROOT = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions, joining `\` continuations. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [, keyword, rest] = /^(\S+)\s+([\s\S]*)$/.exec(line)!;
    if (keyword.toUpperCase() === 'FROM') {
      const [image, , name] = rest.split(/\s+/);
      stages.push({ name: name ?? String(stages.length), image, instructions: [] });
    } else if (stages.length === 0 && keyword.toUpperCase() === 'ARG') {
      const [key, value] = rest.split('=');
      args.set(key, value);
    } else {
      stages[stages.length - 1].instructions.push({ keyword: keyword.toUpperCase(), args: rest });
    }
  }
  return { args, stages };
}

const { args, stages } = parseDockerfile(read('Dockerfile'));
const [build, runtime] = stages;
const all = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (stage: Stage, keyword: string): string => all(stage, keyword).at(-1)!;

/** Docker's .dockerignore rule: the last pattern that matches a path (or a parent) decides. */
function isIgnored(path: string): boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = (negated ? pattern.slice(1) : pattern).replace(/\/$/, '');
    const escape = (part: string): string =>
      part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    // `**/` matches any number of folders, none included.
    const source = glob
      .split('**/')
      .map((part) => part.split('**').map(escape).join('.*'))
      .join('(?:.*/)?');
    const regex = new RegExp(`^${source}(/.*)?$`);
    if (regex.test(path)) ignored = !negated;
  }
  return ignored;
}

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage on the same pinned Node 20 image', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const image = build.image.replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name)!);
    expect(image).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(runtime.image).toBe(build.image);
  });

  it('installs with npm ci, builds, then drops dev dependencies', () => {
    const runs = all(build, 'RUN').join(' && ');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b/);
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run build'));
  });

  it('copies dist, the production node_modules and package.json into the runtime', () => {
    const copies = all(runtime, 'COPY').filter((c) => c.startsWith('--from=build'));
    for (const path of ['dist', 'node_modules', 'package.json']) {
      expect(copies.some((c) => c.split(/\s+/)[1] === `/build/${path}`)).toBe(true);
    }
  });

  it('copies from the context only files that exist and .dockerignore lets through', () => {
    const sources = [...all(build, 'COPY'), ...all(runtime, 'COPY')]
      .filter((c) => !c.startsWith('--from'))
      .flatMap((c) => c.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) {
      expect([source, existsSync(join(ROOT, source)), isIgnored(normalize(source))]).toEqual([
        source,
        true,
        false,
      ]);
    }
    expect(isIgnored('node_modules')).toBe(true);
    expect(isIgnored('src/config/settings.spec.ts')).toBe(true);
    expect(isIgnored('src/main.spec.ts')).toBe(true);
    expect(isIgnored('src/main.ts')).toBe(false);
  });

  it('runs as a fixed non-root uid with writable data and scripts folders', () => {
    expect(last(runtime, 'USER')).toBe('10001:10001');
    expect(last(runtime, 'WORKDIR')).toBe('/app');
    const runs = all(runtime, 'RUN').join(' ');
    expect(runs).toMatch(/mkdir -p \/app\/data \/app\/scripts/);
    expect(runs).toMatch(/chown 10001:10001 \/app\/data \/app\/scripts/);
    expect(runs).toMatch(/apt-get install .*\bbash\b/);
    expect(JSON.parse(last(runtime, 'VOLUME'))).toEqual(['/app/data', '/app/scripts']);
  });

  it('starts the monitor by default, on port 8080, checked on /health/live', () => {
    const entrypoint = JSON.parse(last(runtime, 'ENTRYPOINT')) as string[];
    expect(entrypoint.slice(-2)).toEqual(['node', 'dist/main.js']);
    expect(JSON.parse(last(runtime, 'CMD'))).toEqual(['start']);
    expect(last(runtime, 'EXPOSE')).toBe('8080');
    expect(last(runtime, 'HEALTHCHECK')).toContain('/health/live');
  });

  it('names as entry point the file that npm run build produces', () => {
    const pkg = JSON.parse(read('package.json'));
    const buildConfig = JSON.parse(read('tsconfig.build.json')).compilerOptions;
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(normalize(buildConfig.outDir)).toBe('dist');
    expect(normalize(buildConfig.rootDir)).toBe('src');
    expect(pkg.scripts.start).toContain('dist/main.js');
    // dist/main.js exists once the project has been built; before that, its source must exist.
    expect(existsSync(join(ROOT, 'dist/main.js')) || existsSync(join(ROOT, 'src/main.ts'))).toBe(
      true,
    );
  });
});
