import { Command } from 'commander';
import {
  FINAL_REQUEST_STATUSES,
  RequestStatus,
} from '../persistence/entities/deployment-request.entity';
import { RequestService } from '../requests/request.service';
import { EnvironmentFenceStore } from '../scheduler/environment-fence.store';
import { RequestStore } from '../scheduler/request.store';
import { CliError } from './cli-errors';
import { print, withDatabase } from './cli-context';
import { formatStatus } from './status.format';

const CONFIG_HELP = 'settings file (default: DORC_MONITOR_CONFIG or ./appsettings.json)';
const EXIT_UNSUCCESSFUL = 2;

interface SubmitOptions {
  config?: string;
  project: string;
  environment: string;
  components: string;
  buildNumber?: string;
  property: string[];
  wait?: boolean;
}

/** `submit`, `status`, `cancel`, `restart`, `locks`. */
export function registerRequestCommands(program: Command): void {
  program
    .command('submit')
    .description('create a deployment request')
    .requiredOption('--project <name>')
    .requiredOption('--environment <name>')
    .requiredOption('--components <a,b>', 'comma-separated component names')
    .option('--build-number <n>')
    .option('--property <K=V>', 'a request property (repeatable)', collect, [])
    .option('--wait', 'follow the request until it finishes')
    .option('--config <file>', CONFIG_HELP)
    .action((opts: SubmitOptions) => submit(opts));

  program
    .command('status <id>')
    .description('a request and its per-component results')
    .option('--config <file>', CONFIG_HELP)
    .action((id: string, opts: { config?: string }) =>
      withDatabase(opts.config, async (ds) =>
        print(formatStatus(await new RequestService(ds).getStatus(parseId(id)))),
      ),
    );

  program
    .command('cancel <id>')
    .description('ask the owning monitor to cancel a request')
    .option('--config <file>', CONFIG_HELP)
    .action((id: string, opts: { config?: string }) =>
      withDatabase(opts.config, async (ds) =>
        report(await new RequestService(ds).requestCancel(parseId(id), 'cli')),
      ),
    );

  program
    .command('restart <id>')
    .description('run a finished request again')
    .option('--config <file>', CONFIG_HELP)
    .action((id: string, opts: { config?: string }) =>
      withDatabase(opts.config, async (ds) =>
        report(await new RequestService(ds).requestRestart(parseId(id))),
      ),
    );

  program
    .command('locks')
    .description('environments with work in progress, their owners and fencing epochs')
    .option('--config <file>', CONFIG_HELP)
    .action((opts: { config?: string }) =>
      withDatabase(opts.config, (ds, s) => printLocks(ds, s.isProduction)),
    );
}

async function submit(opts: SubmitOptions): Promise<void> {
  const properties = Object.fromEntries(opts.property.map(parseProperty));
  const components = opts.components
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  await withDatabase(opts.config, async (ds) => {
    const service = new RequestService(ds);
    const id = await service
      .submit({
        project: opts.project,
        environment: opts.environment,
        components,
        buildNumber: opts.buildNumber,
        properties,
      })
      .catch((error: unknown) => {
        throw new CliError(
          `Request not created: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    print(`Request ${id} created (Pending).`);
    if (!opts.wait) return;
    const final = await follow(service, id);
    if (final !== 'Completed')
      throw new CliError(`Request ${id} ended ${final}.`, EXIT_UNSUCCESSFUL);
  });
}

/** Prints each status change until a final status. */
async function follow(service: RequestService, id: number): Promise<RequestStatus> {
  let last = '';
  for (;;) {
    const { request } = await service.getStatus(id);
    const status = request.status;
    if (status !== last) print(`Request ${id}: ${status}`);
    last = status;
    if (FINAL_REQUEST_STATUSES.includes(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function printLocks(ds: import('typeorm').DataSource, isProd: boolean): Promise<void> {
  const rows = (await new RequestStore(ds).open(isProd)).filter((r) =>
    ['Requesting', 'Running', 'Cancelling'].includes(r.status),
  );
  const fences = await new EnvironmentFenceStore(ds).holders();
  if (rows.length === 0) return print('No environment has work in progress.');
  for (const r of rows) {
    const epoch = fences.find((f) => f.environment === r.environment)?.epoch ?? '-';
    const lease =
      r.leaseExpiresAt === null ? 'none' : `${Math.round((r.leaseExpiresAt - r.nowMs) / 1000)} s`;
    print(
      `${r.environment}\trequest ${r.id}\t${r.status}\towner ${r.ownerId ?? '-'}\tepoch ${epoch}\tlease ${lease}`,
    );
  }
}

function report(outcome: { ok: boolean; message: string }): void {
  if (!outcome.ok) throw new CliError(outcome.message);
  print(outcome.message);
}

function parseId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0) throw new CliError(`'${text}' is not a request id`);
  return id;
}

function parseProperty(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new CliError(`--property '${text}' must look like Name=Value`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
