#!/bin/sh
# NLP benchmark: Chinese segmentation vs jieba (Debian python3-jieba, precise mode) on the same
# text in the same run, and English/Chinese full-parse throughput.  Appends the figures to
# tests/bench/RESULTS.md.
#
#   tests/bench/nlp/run.sh            (build dir: $BENCH_BUILD_DIR, default build-bench, release)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" -Dbuildtype=release
fi
ninja -C "$build" plugins/symptom-parser/bench-nlp plugins/symptom-parser/data/zh.trie \
	plugins/symptom-parser/data/concepts.tsv plugins/symptom-parser/data/sites.tsv \
	plugins/symptom-parser/data/cues.tsv
# Debian's python sees python3-jieba; another python3 on PATH may not
exec /usr/bin/python3 "$here/compare.py" "$root" "$build" "$root/tests/bench/RESULTS.md"
