import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const STEP_SCRIPT = 'step.sh';

/**
 * The one script every bench and soak request runs, written into each replica's own ScriptRoot
 * with that replica's id baked in. Request properties steer it: `SleepSeconds`, `ExitCode`, and
 * `FirstRunSeconds` (sleep this long the first time the request runs, `SleepSeconds` after).
 *
 * It records to `recordFile`, one line per event, in the engine-harness style plus the replica
 * and the script's pid (which tells runs of one request apart):
 * - `start <env> <id> <ms> <replica> <pid>` when it begins;
 * - `end <env> <id> <ms> <replica> <pid> <exit>` from its EXIT trap (a normal end);
 * - `gone <env> <id> <ms> <replica> <pid>` from a reaper in a session of its own, when the last
 *   process holding the script's pipe has died: the one record a watchdog SIGKILL still leaves.
 * The reaper is in its own session before the start line is written, so every start has a
 * `gone`, even when the group is killed a moment after it started.
 */
export async function writeStepScript(
  scriptRoot: string,
  replica: string,
  recordFile: string,
  markerDir: string,
): Promise<void> {
  await mkdir(markerDir, { recursive: true });
  await writeScript(scriptRoot, body(replica, recordFile, markerDir));
}

/**
 * The same script without any recording: only the sleep and the exit code. For the throughput
 * bench, where the reaper's extra processes would be part of what is measured.
 */
export async function writeLeanStepScript(scriptRoot: string): Promise<void> {
  await writeScript(
    scriptRoot,
    '#!/usr/bin/env bash\nsleep "${SleepSeconds:-0}"\nexit "${ExitCode:-0}"\n',
  );
}

async function writeScript(scriptRoot: string, text: string): Promise<void> {
  await mkdir(scriptRoot, { recursive: true });
  const file = join(scriptRoot, STEP_SCRIPT);
  await writeFile(file, text);
  await chmod(file, 0o755);
}

function body(replica: string, recordFile: string, markerDir: string): string {
  const reaper =
    'cat >/dev/null; t=${EPOCHREALTIME/[.,]/}; echo "gone $1 $2 ${t:0:${#t}-3} $3 $4" >> "$5"';
  return `#!/usr/bin/env bash
record=${quote(recordFile)}
replica=${quote(replica)}
tag="$EnvironmentName $DeploymentRequestId"
now() { local t=\${EPOCHREALTIME/[.,]/}; REPLY=\${t:0:\${#t}-3}; }
exec 9> >(exec setsid bash -c ${quote(reaper)} reaper "$EnvironmentName" "$DeploymentRequestId" "$replica" "$$" "$record" >/dev/null 2>&1)
# Until the reaper has its own session a group kill would take it along: wait for that first.
reaper_pid=$!
until read -r -a st < /proc/$reaper_pid/stat 2>/dev/null && [[ \${st[5]} == "$reaper_pid" ]]; do
  [[ -e /proc/$reaper_pid ]] || break
done
trap 'code=$?; now; echo "end $tag $REPLY $replica $$ $code" >> "$record"' EXIT
now; echo "start $tag $REPLY $replica $$" >> "$record"
seconds="\${SleepSeconds:-0}"
marker=${quote(markerDir)}/"$DeploymentRequestId"
if [[ -n "$FirstRunSeconds" && ! -e "$marker" ]]; then : > "$marker"; seconds="$FirstRunSeconds"; fi
sleep "$seconds"
exit "\${ExitCode:-0}"
`;
}

/** Single-quoted for bash. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
