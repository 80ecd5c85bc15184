#!/bin/sh
# bmi.Compute in process and isolated through the engine, in one run (bench-isolation.c).
#   tests/bench/isolation/run.sh [CALLS]        (MEDVERSE_BUILD_DIR=build by default)
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${MEDVERSE_BUILD_DIR:-$root/build}
meson compile -C "$build" bench-isolation medverse-plugin-host bmi >/dev/null
G_MESSAGES_DEBUG= "$build/tests/bench/isolation/bench-isolation" "$build/sdk/examples" "${1:-20000}"
