import 'reflect-metadata';
import { buildProgram } from './cli/cli.program';
import { exitCodeFor, reportFatal } from './cli/cli-errors';

/** Entry point of `node dist/main.js` and the `dorc-monitor` command. */
async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  reportFatal(error);
  process.exit(exitCodeFor(error));
});
