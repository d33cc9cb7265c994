/**
 * A stand-in monitor for tests: runs one script with ScriptRunner and reports on stdout.
 * argv[2]: JSON of { scriptPath, cwd, env, watchdogKillAfterMs }. The test kills or stops it.
 */
import { ScriptRunner } from '../../../src/deployment/script-runner';
import { scriptBaseEnv } from '../../../src/config/script-base-env';

interface ChildOptions {
  scriptPath: string;
  cwd: string;
  env: Record<string, string>;
  watchdogKillAfterMs: number;
}

const options = JSON.parse(process.argv[2]) as ChildOptions;
const running = new ScriptRunner().run({
  ...options,
  baseEnv: scriptBaseEnv(process.env),
  onLine: (stream, line) => process.stdout.write(`${stream}: ${line}\n`),
});
void running.done.then((outcome) => process.stdout.write(`done: ${JSON.stringify(outcome)}\n`));
