#!/bin/sh
# AWS_LAMBDA_EXEC_WRAPPER for `coldbench profile`. Lambda (and coldbench's emulator) runs this
# with the runtime's command line as arguments; it re-runs that command with import tracing on.
# Python: `-X importtime` after the interpreter (works under -I, which ignores
# PYTHONPROFILEIMPORTTIME). Node: the require timer beside this script, preloaded with --require.
# Both write their trace to stderr, which the platform sends to the function's log.
runtime="$1"
shift
case "$(basename "$runtime")" in
  python*) exec "$runtime" -X importtime "$@" ;;
  node*) exec "$runtime" --require "$(dirname "$0")/node-require-timer.cjs" "$@" ;;
  *) exec "$runtime" "$@" ;;
esac
