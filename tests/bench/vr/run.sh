#!/bin/sh
# VR recommender benchmark (issue 14), appended to tests/bench/RESULTS.md (section "VR
# recommender"): recommendations (a list of 10 for one patient) per CPU second of the built
# plugin's Recommend through the SDK's test host, with the trained model and with the empty
# model, for the shipped catalog (60 items) and a generated one of 10,000 (gen-catalog.py:
# variants of the shipped items, seeded), against a named peer in the same run: a plain
# score-and-sort of the same catalog (bench-vr.c says what it does), ratio Recommend / peer.
# The patients and their sessions come from the evaluation's simulator (simulate.py, seeded);
# the model is the plugin's Train on them.  Rates are per CPU second of the process (user +
# system), medians of $BENCH_REPS samples: the machine is shared.  Not part of the test suite.
#
#   tests/bench/vr/run.sh   (build dir: $BENCH_BUILD_DIR, default build-bench, release;
#                            $BENCH_PATIENTS simulated patients for the 60 items, default 200,
#                            $BENCH_PATIENTS_LARGE for the 10,000, default 20: a call costs
#                            more there, and the rate is a median either way)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
reps=${BENCH_REPS:-5}
patients=${BENCH_PATIENTS:-200}
patients_large=${BENCH_PATIENTS_LARGE:-20}
results=$root/tests/bench/RESULTS.md
work=$build/vr-bench
seed=20261206

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" -Dbuildtype=release
fi
ninja -C "$build" plugins/vr-recommender/vr-recommender.so plugins/vr-recommender/eval/bench-vr \
	plugins/vr-recommender/data/catalog.json
# the plugin's data directory as an uninstalled daemon uses it (plugins/vr-recommender/data/)
shipped=$build/plugins/vr-recommender/data
mkdir -p "$work"

# one line "items patients recommend recommend_cold score_sort model_bytes"
measure() {
	data=$1 n=$2 sim=$work/simulation-$2-$3.json
	[ -f "$sim" ] || /usr/bin/python3 "$root/plugins/vr-recommender/eval/simulate.py" \
		"$data/catalog.json" "$sim" --patients "$n" --weeks 8 --seed "$seed" 2>/dev/null
	"$build/plugins/vr-recommender/eval/bench-vr" "$build/plugins/vr-recommender/vr-recommender.so" \
		"$data" "$data/catalog.json" "$sim" "$reps" | awk '{ v[$1] = $2 }
		END { print v["items"], v["patients"], v["recommend"], v["recommend_cold"], v["score_sort"],
			v["model_bytes"] }'
}

large=$work/data-10000
if [ ! -f "$large/catalog.json" ]; then
	mkdir -p "$large"
	cp -R "$shipped/." "$large/"
	/usr/bin/python3 "$here/gen-catalog.py" 10000 "$seed" "$large/catalog.json" "$shipped/catalog.json"
fi
small=$(measure "$shipped" "$patients" 60)
big=$(measure "$large" "$patients_large" 10000)

cpu=$(lscpu | sed -n 's/^Model name: *//p')
{
	echo
	echo "### VR recommender (tests/bench/vr/run.sh): $(date -u +%Y-%m-%d) $(git -C "$root" rev-parse --short HEAD), $cpu, $(nproc) CPUs, $(. /etc/os-release && echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "Recommendations (10 items for one patient) a CPU second, median of $reps samples; simulated patients (simulate.py, seed $seed, 8 weeks), their sessions as history, the model the plugin's Train on them."
	echo
	echo "| catalog items | patients | model (GVariant bytes) | Recommend, trained model | Recommend, empty model | peer: plain score-and-sort | ratio Recommend (trained) / peer | ratio Recommend (empty model) / peer |"
	echo "|---|---|---|---|---|---|---|---|"
	for line in "$small" "$big"; do
		echo "$line" | awk '{ printf "| %d | %d | %d | %.0f | %.0f | %.0f | %.3g | %.3g |\n", $1, $2, $6, $3, $4, $5, $3 / $5, $4 / $5 }'
	done
} | tee -a "$results"
