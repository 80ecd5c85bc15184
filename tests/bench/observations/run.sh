#!/bin/bash
# Observation-write benchmark: writes per second through the clinical store (validation, unit
# conversion, key unwrap, seal, blind-index terms, audit, change feed) against the same pipeline
# in clear, in the same run (see bench-observations.c for exactly what the clear peer does).
# Prints the figures, the ratio and p50/p99 latency; record them in tests/bench/RESULTS.md.
#
#   tests/bench/observations/run.sh [N]    (N single writes per peer, then N per peer in batches
#                                           of 100; default 5000, a multiple of 1000)
#
# Environment: BENCH_PATIENTS (default 50), BENCH_BATCH=0 (no batches), BENCH_WITNESS=none.
# Not part of the test suite.  Builds in build-bench (BENCH_BUILD_DIR) with optimisation.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}

if [ ! -d "$build" ]; then
	meson setup "$build" "$root" --buildtype=release -Dtests=true >/dev/null
else
	# the bench directory is shared with the other benchmarks, which may have turned tests off
	meson configure "$build" -Dtests=true >/dev/null
fi
ninja -C "$build" daemon/clinical/tests/bench-observations >/dev/null
echo "date: $(date -u +%Y-%m-%d)  commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
G_MESSAGES_DEBUG='' "$build/daemon/clinical/tests/bench-observations" "${1:-5000}" 2>/dev/null
