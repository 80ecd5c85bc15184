#!/bin/sh
# NLP benchmark, appended to tests/bench/RESULTS.md (section "NLP"):
#  - Chinese segmentation vs jieba (Debian python3-jieba, precise mode), same text, same run;
#  - full-parse throughput, English and Chinese, against the parser as it was before issue 11
#    (commit $BENCH_PEER_COMMIT, default 4a5051e) built from `git archive` in its own build dir
#    and run alternately with this one: the named peer in the same run;
#  - the loaded lexicon's cost (resident set, heap, time) and the bounded-cost cases (a 1 MiB
#    text of one repeated word, and of one repeated measurement: parse time, answer size).
#
#   tests/bench/nlp/run.sh   (build dir: $BENCH_BUILD_DIR, default build-bench, release)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
peer=${BENCH_PEER_COMMIT:-4a5051e}

targets="plugins/symptom-parser/bench-nlp plugins/symptom-parser/data/zh.trie
	plugins/symptom-parser/data/concepts.tsv plugins/symptom-parser/data/sites.tsv
	plugins/symptom-parser/data/cues.tsv"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" -Dbuildtype=release
fi
# shellcheck disable=SC2086 # one target per word
ninja -C "$build" $targets plugins/symptom-parser/bench-nlp-mem \
	plugins/symptom-parser/symptom-parser.so

# the peer: its own sources and build dir, only what the throughput run needs
peer_src=$build/peer-$peer-src
peer_build=$build/peer-$peer-build
if [ ! -f "$peer_build/build.ninja" ]; then
	rm -rf "$peer_src"
	mkdir -p "$peer_src"
	git -C "$root" archive "$peer" | tar -x -C "$peer_src"
	meson setup "$peer_build" "$peer_src" -Dbuildtype=release -Dtests=false
fi
# shellcheck disable=SC2086
ninja -C "$peer_build" $targets

# Debian's python sees python3-jieba; another python3 on PATH may not
exec /usr/bin/python3 "$here/compare.py" "$root" "$build" "$root/tests/bench/RESULTS.md" \
	"$peer_build" "$(git -C "$root" rev-parse --short "$peer")"
