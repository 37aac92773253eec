#!/bin/sh
# AWS_LAMBDA_EXEC_WRAPPER for `coldbench profile`. Lambda (and coldbench's emulator) runs this
# with the runtime's command line as arguments; it re-runs that command with import tracing on.
#
# Python: `-X importtime` after the interpreter (a command-line option, so it works under -I,
# which ignores PYTHONPROFILEIMPORTTIME). CPython traces only imports that go through the import
# statement, and runtimes load the handler with importlib.import_module, which does not; so the
# runtime's script runs through a small shim that sends absolute import_module calls through
# __import__ (same module, same sys.modules entry) and the handler module itself shows in the trace.
# Node: the require timer beside this script, preloaded with --require.
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
    shim='import importlib, runpy, sys
_import_module = importlib.import_module
def _traced_import_module(name, package=None):
    if name.startswith("."):
        return _import_module(name, package)
    __import__(name)
    return sys.modules[name]
importlib.import_module = _traced_import_module
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")'
    # shellcheck disable=SC2086 # $flags holds separate options on purpose
    exec "$runtime" -X importtime $flags -c "$shim" "$@"
    ;;
  node*) exec "$runtime" --require "$(dirname "$0")/node-require-timer.cjs" "$@" ;;
  *) exec "$runtime" "$@" ;;
esac
