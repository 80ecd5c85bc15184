#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; targets: tokenizers trie parser measure)
#
# Installs what it needs first (scripts/deps.txt and scripts/deps-fuzz.txt: clang and its
# libFuzzer runtime, libclang-rt-14-dev), with apt-get only when something is missing; these are
# not part of scripts/test.  Each target runs as one process (what -jobs=1 would give, without
# libFuzzer's supervisor), under `nice` (FUZZ_NICE, default 10) so a shared machine stays usable.
#
# New inputs go to $BUILD/fuzz-work/<target>; the seeds in tests/fuzz/corpus/<target> are read,
# never written.  A crash leaves $BUILD/fuzz-artifacts/<target>-crash-* and fails the run: fix the
# bug, then copy the file into tests/fuzz/corpus/<target>/ so the replay test keeps it.
# To keep a few of the new inputs, merge them (only those adding coverage are copied):
#   $BUILD/tests/fuzz/fuzz-<target> -merge=1 -max_len=4096 tests/fuzz/corpus/<target> $BUILD/fuzz-work/<target>
# Record the figures printed at the end in tests/fuzz/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-tokenizers trie parser measure}
nice_level=${FUZZ_NICE:-10}

"$root/scripts/install-deps" "$root/scripts/deps.txt" "$root/scripts/deps-fuzz.txt"
command -v clang >/dev/null || { echo "run.sh: clang not found" >&2; exit 1; }
fuzzer_rt="$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a"
if [ ! -f "$fuzzer_rt" ]; then
	echo "run.sh: libFuzzer runtime $fuzzer_rt missing (Debian: libclang-rt-14-dev)" >&2
	exit 1
fi

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
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
status=0
for t in $targets; do
	mkdir -p "$build/fuzz-work/$t" "$build/fuzz-artifacts"
	echo "== fuzz-$t for ${seconds}s"
	log="$build/fuzz-artifacts/$t.log"
	if ! nice -n "$nice_level" "$build/tests/fuzz/fuzz-$t" "$build/fuzz-work/$t" "$here/corpus/$t" \
		-max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 2>"$log"; then
		status=1
		echo "fuzz-$t FAILED: see $log" >&2
		tail -40 "$log" >&2
	else
		# the last status line (cov: features: corp: exec/s) and the final counters
		grep -E '^#[0-9]+' "$log" | tail -n 1 || true
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
		printf 'corpus after the run: %s files\n' "$(ls "$build/fuzz-work/$t" | wc -l)"
	fi
done
exit $status
