#!/bin/sh
# Trainer benchmark (issue 12), appended to tests/bench/RESULTS.md (section "Risk"):
#  - training time of medverse-train's core (CSV read; IRLS fit with standard errors) on the
#    Pima data (tests/data/pima) and on a 100,000-row, 10-feature synthetic set
#    (gen-synthetic.py, seeded), against R's read.csv and glm + summary on the same files in the
#    same run (bench-glm.R), medians of several runs each, ratio R / trainer printed;
#  - the whole command line (with its 10-fold cross-validation) on the large set, for scale;
#  - single and batch scoring: the place is kept below (bench_scoring), filled in by the
#    risk-scorer plugin's benchmark.
# Not part of the test suite.  Needs Rscript (apt-get install r-base-core).
#
#   tests/bench/risk/run.sh   (build dir: $BENCH_BUILD_DIR, default build-bench, release)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
rows=${BENCH_ROWS:-100000}
results=$root/tests/bench/RESULTS.md
work=$build/risk-bench

command -v Rscript >/dev/null || { echo "run.sh: Rscript not found (r-base-core)" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" -Dbuildtype=release
fi
ninja -C "$build" plugins/risk-scorer/trainer/bench-train plugins/risk-scorer/trainer/medverse-train
mkdir -p "$work"
synthetic=$work/synthetic-$rows.csv
[ -f "$synthetic" ] || /usr/bin/python3 "$here/gen-synthetic.py" "$rows" 20261205 "$synthetic"

# one line "name rows reps trainer_read trainer_fit r_read r_fit iterations r_iterations"
measure() {
	name=$1 file=$2 outcome=$3 positive=$4 reps=$5
	set -- $("$build/plugins/risk-scorer/trainer/bench-train" "$file" "$outcome" "$positive" "$reps")
	t_read=$2 t_fit=$4 t_iter=$6
	set -- $(Rscript "$here/bench-glm.R" "$file" "$outcome" "$positive" "$reps")
	r_read=$2 r_fit=$4 r_iter=$6
	n=$(($(wc -l <"$file") - 1))
	echo "$name $n $reps $t_read $t_fit $r_read $r_fit $t_iter $r_iter"
}

pima=$(measure pima "$root/tests/data/pima/pima.csv" diabetes pos 21)
large=$(measure synthetic "$synthetic" event 1 5)

# the command line as a user runs it: read, fit, apparent figures, 10-fold CV, model file
start=$(date +%s%N)
"$build/plugins/risk-scorer/trainer/medverse-train" --csv "$synthetic" --outcome event \
	--positive 1 --out "$work/synthetic-bench.json" >/dev/null
cli_ms=$((($(date +%s%N) - start) / 1000000))

bench_scoring() {
	# single and batch scores per second: added with the risk-scorer plugin's benchmark
	echo "| scoring (risk-scorer plugin) | scores/s |"
	echo "|---|---|"
	echo "| single scoring | (to be measured) |"
	echo "| batch scoring | (to be measured) |"
}

table=$(
	echo "| data | rows | runs | trainer read s | trainer fit s | R read.csv s | R glm+summary s | fit ratio R/trainer | read+fit ratio | iterations (trainer/R) |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for line in "$pima" "$large"; do
		echo "$line" | awk '{printf "| %s | %d | %d | %.4f | %.4f | %.4f | %.4f | %.1f | %.1f | %s/%s |\n",
			$1, $2, $3, $4, $5, $6, $7, $7 / $5, ($6 + $7) / ($4 + $5), $8, $9}'
	done
)
cpu=$(lscpu | sed -n 's/^Model name: *//p')
{
	echo
	echo "### Risk trainer vs R glm (tests/bench/risk/run.sh): $(date -u +%Y-%m-%d) $(git -C "$root" rev-parse --short HEAD), $cpu, $(nproc) CPUs, $(. /etc/os-release && echo "$PRETTY_NAME"), $(Rscript --version 2>&1 | head -1)"
	echo
	echo "$table"
	echo
	echo "medverse-train command line on the $rows-row set (read, fit, apparent figures, 10-fold CV, model file): ${cli_ms} ms"
	echo
	bench_scoring
} | tee -a "$results"
