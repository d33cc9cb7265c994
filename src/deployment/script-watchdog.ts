/**
 * The watchdog that stands between the monitor and every script it runs. Kept as a TypeScript
 * string (not a `.sh` file) because `tsc` does not copy `.sh` files to `dist`; it is run with
 * `bash -c`, so it works the same from ts-jest and from `dist` without temporary files.
 *
 * Invocation: `bash -c WATCHDOG_SCRIPT dorc-script-watchdog <setsid> <killAfterMs> <cmd> [args...]`
 *
 * - It starts `<cmd> args` under `setsid`, so the script leads a new session and process group
 *   (pgid = the script's pid); stdin is `/dev/null`, stdout and stderr are the watchdog's own.
 * - It reads control lines on stdin:
 *   - `ping <ms>` moves the deadline to now + ms (ms <= 0 kills at once: the lease is gone).
 *   - `kill <graceMs>` sends SIGTERM to the group and SIGKILL after graceMs (0: SIGKILL at once).
 * - Stdin EOF means the monitor is gone: SIGKILL to the group at once.
 * - The deadline passing without a ping means the monitor is frozen or has lost its lease:
 *   SIGKILL to the group at once. The first deadline is killAfterMs after start; 0 disables it.
 * - When the script exits, whatever it left behind in its group is killed with SIGKILL, so no
 *   orphan outlives its deployment step (and none keeps the output pipes open).
 *
 * SIGTERM first only when the monitor asks (cancel, timeout, shutdown): the script may clean up.
 * EOF, the deadline and `kill 0` (fenced) use SIGKILL at once: no monitor is left to wait for
 * the grace period, and another replica may take the environment as soon as the lease ends.
 * The control loop runs in a background subshell, so the main shell can `wait` for the script
 * and finish the moment it ends.
 *
 * Reports go to fd 3, one line each, never mixed with the script's output:
 * `started <pid>`, `killing <request|deadline|eof> <TERM|KILL>`.
 * Exit code: the script's own (128 + n when it died of signal n, as bash reports it).
 *
 * Time comes from /proc/uptime (monotonic) where present, else $EPOCHREALTIME; `read -t` with
 * fractional seconds needs bash >= 4, `$EPOCHREALTIME` bash >= 5.
 *
 * A plain template literal: the only escapes in it are `\${` where bash needs `${`.
 */
export const WATCHDOG_SCRIPT = `
setsid_bin=$1 kill_after_ms=$2
shift 2
# The script gets the real stderr on fd 2; the watchdog's own stderr goes nowhere, so bash's job
# notices ("Killed ...") never mix with the script's output.
exec 4>&2 2>/dev/null
"$setsid_bin" "$@" </dev/null 2>&4 3>&- 4>&- &
child=$!
exec 4>&-
# Only now: the script must not inherit an ignored SIGPIPE. The watchdog must survive writing
# its reports after the monitor (the reader of fd 3) has died.
trap '' PIPE
echo "started $child" >&3 2>/dev/null

now_ms() {
  if [[ -r /proc/uptime ]]; then
    local up _rest
    read -r up _rest </proc/uptime
    now=$(( 10#\${up/./} * 10 ))
  else
    now=$(( 10#\${EPOCHREALTIME/[.,]/} / 1000 ))
  fi
}

kill_group() { # <why> <TERM|KILL>
  echo "killing $1 $2" >&3 2>/dev/null
  kill -"$2" -- -"$child" 2>/dev/null
}

control() {
  LC_ALL=C
  local deadline=0 kill_at=0 wait_ms secs line cmd arg rc
  now_ms
  (( kill_after_ms > 0 )) && deadline=$(( now + kill_after_ms ))
  while :; do
    now_ms
    if (( deadline && now >= deadline )); then kill_group deadline KILL; return; fi
    if (( kill_at && now >= kill_at )); then kill_group request KILL; return; fi
    wait_ms=-1
    (( deadline )) && wait_ms=$(( deadline - now ))
    (( kill_at && (wait_ms < 0 || kill_at - now < wait_ms) )) && wait_ms=$(( kill_at - now ))
    if (( wait_ms >= 0 )); then
      printf -v secs '%d.%03d' $(( wait_ms / 1000 )) $(( wait_ms % 1000 ))
      read -r -t "$secs" line; rc=$?
    else
      read -r line; rc=$?
    fi
    (( rc > 128 )) && continue
    if (( rc != 0 )); then kill_group eof KILL; return; fi
    cmd=\${line%% *} arg=\${line#* }
    [[ $arg =~ ^-?[0-9]+$ ]] || continue
    now_ms
    case $cmd in
      ping) deadline=$(( now + (arg > 0 ? arg : 0) )); (( deadline )) || deadline=1 ;;
      kill)
        if (( arg <= 0 )); then kill_group request KILL; return; fi
        (( kill_at )) || { kill_group request TERM; kill_at=$(( now + arg )); } ;;
    esac
  done
}

control <&0 >/dev/null &
controller=$!
wait "$child"
code=$?
kill -KILL -- -"$child" 2>/dev/null
kill "$controller" 2>/dev/null
exit "$code"
`;
