import { parseSoakOptions } from './soak/soak-options';
import { abortSoak, runSoak } from './soak/soak-runner';

/**
 * `npm run soak -- --minutes N`: three replicas, a stream of requests and a fault every few
 * seconds; exits 0 when every guarantee held, 1 on any violation, 2 when the soak itself failed.
 */
async function main(argv: string[]): Promise<number> {
  const options = parseSoakOptions(argv);
  const onSignal = () => void abortSoak().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const result = await runSoak(options);
  console.log(
    result.violations.length === 0
      ? '\nSOAK PASSED: no violations'
      : `\nSOAK FAILED: ${result.violations.length} violation(s)`,
  );
  return result.violations.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
