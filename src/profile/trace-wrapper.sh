#!/bin/sh
# AWS_LAMBDA_EXEC_WRAPPER for `coldbench profile`. Lambda (and coldbench's emulator) runs this
# with the runtime's command line as arguments; it re-runs that command with import tracing on.
#
# Python: `-X importtime` after the interpreter (a command-line option, so it works under -I,
# which ignores PYTHONPROFILEIMPORTTIME). CPython traces only imports that go through the import
# statement, and runtimes load the handler with importlib.import_module, which does not; so the
# runtime's script runs through python-trace-shim.py, which sends absolute import_module calls
# through __import__ (same module, same sys.modules entry) so the handler module itself shows in the
# trace, and times the module-level statements COLDBENCH_TRACE_STATEMENTS names.
# Node: the require timer beside this script, preloaded with --require, and with
# COLDBENCH_TRACE_ESM=1 the ES module timer (module.register hooks), preloaded with --import.
# Both write their trace to stderr, which the platform sends to the function's log.
runtime="$1"
shift
case "$(basename "$runtime")" in
  python*)
    flags=""
    # The interpreter's own options (-I -S -u, -X opt, -W arg) come before the runtime's script.
    while [ $# -gt 0 ]; do
      case "$1" in
        -c | -m) exec "$runtime" -X importtime $flags "$@" ;;
        -X | -W) flags="$flags $1 $2"; shift 2 ;;
        -*) flags="$flags $1"; shift ;;
        *) break ;;
      esac
    done
    shim="$(cat "$(dirname "$0")/python-trace-shim.py")"
    # shellcheck disable=SC2086 # $flags holds separate options on purpose
    exec "$runtime" -X importtime $flags -c "$shim" "$@"
    ;;
  node*)
    # The ES module hooks run on a loader thread that costs init time of its own: only when asked.
    if [ "${COLDBENCH_TRACE_ESM:-}" = "1" ]; then
      exec "$runtime" --require "$(dirname "$0")/node-require-timer.cjs" --import "$(dirname "$0")/node-esm-timer.mjs" "$@"
    fi
    exec "$runtime" --require "$(dirname "$0")/node-require-timer.cjs" "$@"
    ;;
  *) exec "$runtime" "$@" ;;
esac
