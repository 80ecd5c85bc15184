#!/bin/sh
# bmi.Compute in process and isolated, in one run:
#   tests/bench/isolation/run.sh [CALLS]   through the engine (bench-isolation.c)
#   tests/bench/isolation/run.sh http      over HTTP with wrk, one daemon (http.sh)
# MEDVERSE_BUILD_DIR=build by default.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${MEDVERSE_BUILD_DIR:-$root/build}
if [ "${1:-}" = http ]; then
	exec "$here/http.sh"
fi
meson compile -C "$build" bench-isolation medverse-plugin-host bmi >/dev/null
G_MESSAGES_DEBUG= "$build/tests/bench/isolation/bench-isolation" "$build/sdk/examples" "${1:-20000}"
