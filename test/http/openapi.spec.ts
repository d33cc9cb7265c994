import { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { HealthController } from '../../src/health/health.controller';
import { LocksController } from '../../src/health/locks.controller';
import { MetricsController } from '../../src/health/metrics.controller';
import { OpenApiController } from '../../src/health/openapi.controller';
import { MonitorRuntime } from '../../src/runtime/monitor-runtime';
import { EngineHarness } from '../support/engine-harness';
import { answerValidator } from './support/openapi-schemas';

/** GET routes the controllers declare, read from Nest's own route metadata. */
function declaredRoutes(): string[] {
  const controllers = [HealthController, LocksController, MetricsController, OpenApiController];
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const methods = Object.getOwnPropertyNames(controller.prototype).filter(
      (name) => name !== 'constructor',
    );
    return methods
      .map((name) => (controller.prototype as unknown as Record<string, object>)[name])
      .filter((handler) => Reflect.getMetadata(METHOD_METADATA, handler) !== undefined)
      .map((handler) => joinPath(base, String(Reflect.getMetadata(PATH_METADATA, handler))));
  });
}

function joinPath(...parts: string[]): string {
  return `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;
}

describe('OpenAPI description', () => {
  let harness: EngineHarness;
  let runtime: MonitorRuntime;
  let app: INestApplication;
  let spec: { openapi: string; paths: Record<string, { get?: unknown }> };

  beforeAll(async () => {
    harness = await EngineHarness.create('sqlite');
    runtime = new MonitorRuntime(harness.settings(), harness.dataSource);
    app = await NestFactory.create(AppModule.register(runtime), { logger: false });
    await app.init();
    await runtime.start();
    const answer = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    spec = answer.body as typeof spec;
  });

  afterAll(async () => {
    await runtime?.stop();
    await app?.close();
    await harness?.cleanup();
  });

  it('is an OpenAPI 3 document served as JSON', () => {
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths).length).toBeGreaterThan(0);
  });

  it('lists exactly the routes the controllers serve', () => {
    const routes = declaredRoutes();
    expect(routes).toEqual(expect.arrayContaining(['/health/live', '/locks/cluster', '/metrics']));
    expect(Object.keys(spec.paths).sort()).toEqual([...routes].sort());
  });

  it('answers on every path it lists', async () => {
    const paths = Object.keys(spec.paths);
    const statuses: Record<string, number> = {};
    for (const path of paths)
      statuses[path] = (await request(app.getHttpServer()).get(path)).status;
    expect(statuses).toEqual(Object.fromEntries(paths.map((path) => [path, 200])));
  });

  it('describes what the endpoints really return', async () => {
    const check = answerValidator();
    const get = async (path: string) =>
      (await request(app.getHttpServer()).get(path)).body as unknown;

    expect(check('Health', await get('/health'))).toEqual([]);
    expect(check('Health', await get('/health/ready'))).toEqual([]);
    expect(check('ReplicaLocks', await get('/locks'))).toEqual([]);
    expect(check('ClusterLocks', await get('/locks/cluster'))).toEqual([]);
    expect(check('ReplicaLocks', { monitorId: 1 })).not.toEqual([]);
  });

  it('links the description from /docs', async () => {
    const answer = await request(app.getHttpServer()).get('/docs').expect(200);
    expect(answer.headers['content-type']).toMatch(/text\/html/);
    expect(answer.text).toContain('href="openapi.json"');
  });
});
