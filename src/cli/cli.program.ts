import { Command } from 'commander';
import { registerDataCommands } from './data.commands';
import { registerRequestCommands } from './request.commands';
import { startMonitor } from './start.command';

/** The `dorc-monitor` command line. Every command takes `--config <file>`. */
export function buildProgram(): Command {
  const program = new Command('dorc-monitor')
    .description('DOrc deployment monitor with RabbitMQ-coordinated high availability')
    .showHelpAfterError()
    .enablePositionalOptions();

  program
    .command('start', { isDefault: true })
    .description('run the monitor: poll for deployment requests and execute them')
    .option('--config <file>', 'settings file (default: DORC_MONITOR_CONFIG or ./appsettings.json)')
    .action((opts: { config?: string }) => startMonitor(opts.config));

  registerDataCommands(program);
  registerRequestCommands(program);
  return program;
}
