#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; targets: tokenizers trie parser)
#
# New inputs go to $BUILD/fuzz-work/<target>; the seeds in tests/fuzz/corpus/<target> are read,
# never written.  A crash leaves $BUILD/fuzz-artifacts/<target>-crash-* and fails the run: fix the
# bug, then copy the file into tests/fuzz/corpus/<target>/ so the replay test keeps it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-tokenizers trie parser}

if [ ! -f "$build/build.ninja" ]; then
	# werror off: only the fuzz targets are built here, and other parts of the tree are not
	# necessarily clang-warning-clean
	CC=clang meson setup "$build" "$root" -Dfuzzing=true -Dbuildtype=debugoptimized -Dwerror=false
fi
ninja -C "$build" $(for t in $targets; do printf 'tests/fuzz/fuzz-%s ' "$t"; done) \
	plugins/symptom-parser/data/zh.trie plugins/symptom-parser/data/concepts.tsv \
	plugins/symptom-parser/data/sites.tsv plugins/symptom-parser/data/cues.tsv

export SP_FUZZ_DATA_DIR="$build/plugins/symptom-parser/data"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
status=0
for t in $targets; do
	mkdir -p "$build/fuzz-work/$t" "$build/fuzz-artifacts"
	echo "== fuzz-$t for ${seconds}s"
	if ! "$build/tests/fuzz/fuzz-$t" "$build/fuzz-work/$t" "$here/corpus/$t" \
		-max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 2>"$build/fuzz-artifacts/$t.log"; then
		status=1
		echo "fuzz-$t FAILED: see $build/fuzz-artifacts/$t.log" >&2
		tail -40 "$build/fuzz-artifacts/$t.log" >&2
	else
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$build/fuzz-artifacts/$t.log" || true
	fi
done
exit $status
