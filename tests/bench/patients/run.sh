#!/bin/bash
# Patient-store benchmark: encrypted create/read throughput through the store functions against
# the same transactions without encryption, in the same run (see bench-patients.c).  Prints the
# figures and the ratios; record them in tests/bench/RESULTS.md.
#
#   tests/bench/patients/run.sh [N]        (N creates and reads per peer, default 2000)
#
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
ninja -C "$build" daemon/patients/tests/bench-patients >/dev/null
echo "date: $(date -u +%Y-%m-%d)"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs"
G_MESSAGES_DEBUG= "$build/daemon/patients/tests/bench-patients" "${1:-2000}" 2>/dev/null
