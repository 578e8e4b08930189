# Shared by scripts/{prometheus,kafka,redis}/{install,start,stop}.sh, which source it first:
#   . "$(dirname "$0")/../lib/daemon.sh" redis/start
# It sets ROOT (the repository) and LOG_PREFIX (the argument: what log lines start with) and
# defines functions; sourcing it starts, checks and prints nothing.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOG_PREFIX="${1:?usage: . scripts/lib/daemon.sh SCRIPT_NAME}"

# Seconds between two looks while waiting for a server to become ready, or to exit after TERM.
READY_POLL_SECONDS=0.2
STOP_POLL_SECONDS=0.1

log() { echo "$LOG_PREFIX: $*" >&2; }
fail() { log "$*"; exit 1; }

# Prints the data root: SCALEPLANE_OBSERVABILITY_DIR (relative to ROOT when relative), default ROOT/.data.
data_root() {
  local dir="${SCALEPLANE_OBSERVABILITY_DIR:-$ROOT/.data}"
  case "$dir" in /*) ;; *) dir="$ROOT/$dir" ;; esac
  echo "$dir"
}

# install_missing_packages LOCK_FILE ENV_HINT BINARY PACKAGE [BINARY PACKAGE]...
# Installs with apt-get the Debian packages whose binaries are not executable. Needs root (CI);
# anyone else is told what to install, or which variables (ENV_HINT) to point at their binaries,
# and the script exits 1. With everything there it does nothing.
install_missing_packages() {
  local lock_file="$1" env_hint="$2"
  shift 2
  local wanted=("$@") missing
  missing_packages() {
    local i
    missing=()
    for ((i = 0; i < ${#wanted[@]}; i += 2)); do
      [ -x "${wanted[i]}" ] || missing+=("${wanted[i + 1]}")
    done
  }
  missing_packages
  [ "${#missing[@]}" -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}),"
    echo "or set $env_hint to binaries you have." >&2
    exit 1
  fi
  # Two installs at once (parallel test workers, CI and a shell) would fight over dpkg's lock.
  exec 9>"$lock_file"
  flock 9
  missing_packages
  [ "${#missing[@]}" -gt 0 ] || return 0
  log "installing Debian's ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d 101: the packages' maintainer scripts must not start system-wide daemons on the
  # default ports, where other users of the machine (or its shared servers) may already listen.
  local policy_file=/usr/sbin/policy-rc.d
  if [ ! -e "$policy_file" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_file" && chmod +x "$policy_file" && trap "rm -f '$policy_file'" EXIT
  fi
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# recorded_pid PID_FILE CHECK...: prints the pid in PID_FILE when that process is alive and
# `CHECK... PID` says it is still our server (pids are reused).
recorded_pid() {
  local pid_file="$1" pid
  shift
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  "$@" "$pid" || return 1
  echo "$pid"
}

# CHECKs for recorded_pid. pid_runs_command BINARY PID: the process was started as BINARY.
pid_runs_command() { [ "$(tr '\0' '\n' <"/proc/$2/cmdline" 2>/dev/null | head -n 1)" = "$1" ]; }
# pid_runs_executable EXE PID: the process runs the file EXE (for servers that rewrite their command line).
pid_runs_executable() { [ "$(readlink -f "/proc/$2/exe" 2>/dev/null)" = "$1" ]; }
# pid_has_argument ARGUMENT PID: one of the process's arguments is exactly ARGUMENT.
pid_has_argument() { tr '\0' '\n' <"/proc/$2/cmdline" 2>/dev/null | grep -qxF "$1"; }

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# launch PID_FILE LOG_FILE COMMAND...: starts COMMAND in the background, its output appended to
# LOG_FILE, and records its pid in PID_FILE and LAUNCHED_PID.
launch() {
  local pid_file="$1" log_file="$2"
  shift 2
  # setsid + nohup: the server outlives this script and the terminal or test that ran it.
  setsid nohup "$@" >>"$log_file" 2>&1 </dev/null &
  LAUNCHED_PID=$!
  echo "$LAUNCHED_PID" >"$pid_file"
}

# wait_until_ready [--forget PID_FILE] NAME PID LOG_FILE CHECK...: until CHECK succeeds, every
# READY_POLL_SECONDS. Exits 1 when the server exits meanwhile (showing the end of its log, and
# removing PID_FILE with --forget) or when READY_TIMEOUT_SECONDS pass.
wait_until_ready() {
  local forget=""
  if [ "$1" = --forget ]; then forget="$2"; shift 2; fi
  local name="$1" pid="$2" log_file="$3" deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  shift 3
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up; the end of $log_file:"
      tail -n 20 "$log_file" >&2
      [ -z "$forget" ] || rm -f "$forget"
      exit 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "$name did not become ready within ${READY_TIMEOUT_SECONDS}s (see $log_file)"
    sleep "$READY_POLL_SECONDS"
  done
}

# Stopping, in two steps so that several servers shut down side by side:
#   signal_stop NAME PID_FILE CHECK...   TERM to the server recorded in PID_FILE (see recorded_pid);
#                                        a PID_FILE of no running server is removed at once
#   wait_stopped                         waits up to STOP_TIMEOUT_SECONDS for all of them, KILLs
#                                        any that will not stop, removes their pid files
# The two lines printed per server come from stopped_message and kill_message (NAME PID PID_FILE);
# a script may define its own.
forget_stopping() { STOPPING_NAMES=() STOPPING_PIDS=() STOPPING_PID_FILES=(); }
forget_stopping
stopped_message() { echo "stopped $1 (pid $2)"; }
kill_message() { echo "$1 (pid $2) did not stop within ${STOP_TIMEOUT_SECONDS}s; killing it"; }

signal_stop() {
  local name="$1" pid_file="$2" pid
  shift 2
  if pid="$(recorded_pid "$pid_file" "$@")" && kill -TERM "$pid"; then
    STOPPING_NAMES+=("$name")
    STOPPING_PIDS+=("$pid")
    STOPPING_PID_FILES+=("$pid_file")
  else
    rm -f "$pid_file"
  fi
}

wait_stopped() {
  local deadline=$((SECONDS + STOP_TIMEOUT_SECONDS)) i pid
  for i in "${!STOPPING_PIDS[@]}"; do
    pid="${STOPPING_PIDS[$i]}"
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        log "$(kill_message "${STOPPING_NAMES[$i]}" "$pid" "${STOPPING_PID_FILES[$i]}")"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep "$STOP_POLL_SECONDS"
    done
    log "$(stopped_message "${STOPPING_NAMES[$i]}" "$pid" "${STOPPING_PID_FILES[$i]}")"
    rm -f "${STOPPING_PID_FILES[$i]}"
  done
  forget_stopping
}
