#!/bin/sh
# Risk benchmark (issue 12), appended to tests/bench/RESULTS.md (section "Risk"):
#  - training time of medverse-train's core (CSV read; IRLS fit with standard errors) on the
#    Pima data (tests/data/pima) and on a 100,000-row, 10-feature synthetic set
#    (gen-synthetic.py, seeded), against R's read.csv and glm + summary on the same files in the
#    same run (bench-glm.R), medians of several runs each, ratio R / trainer printed;
#  - the whole command line (with its 10-fold cross-validation) on the large set, for scale;
#  - scoring throughput (bench_scoring): the white men's Pooled Cohort Equation and the
#    Framingham Offspring diabetes model on seeded, realistic input sets (gen-score-inputs.py),
#    scored by the core and by the built plugin through the SDK's test host (Score one set a
#    call, detail "full" and "summary"; ScoreBatch 100 and 1000 a call, with detail "full" and "summary"; ScoreColumns,
#    the sets as columns with a unit a row, 1000 rows a call and all of them in one call;
#    bench-risk-score), against R computing the same
#    model's probability on the same sets (bench-score.R: a per-row loop, and vectorised in
#    calls of 100, 1000 and all sets), ratio Medverse / R printed.  Scoring rates are per CPU
#    second of each process (user + system), not per second of the clock: the machine is
#    shared, and the clock would count the other users' turns against whichever side ran then.  Both sides' probabilities
#    are compared: the bench fails when they differ by more than 1e-9.
# Not part of the test suite.  Installs R (r-base-core) with apt-get when Rscript is missing.
#
#   tests/bench/risk/run.sh   (build dir: $BENCH_BUILD_DIR, default build-bench, release;
#                              $BENCH_SCORE_SETS input sets a model, default 10000)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
rows=${BENCH_ROWS:-100000}
results=$root/tests/bench/RESULTS.md
work=$build/risk-bench

score_sets=${BENCH_SCORE_SETS:-10000}
score_reps=${BENCH_SCORE_REPS:-5}

if ! command -v Rscript >/dev/null; then
	echo "run.sh: Rscript not found: installing r-base-core" >&2
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y --no-install-recommends r-base-core
fi
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" -Dbuildtype=release
fi
# the plugin loads every shipped model from the build tree's data directory
models=$(for f in "$root"/plugins/risk-scorer/models/*.json; do
	echo "plugins/risk-scorer/data/models/${f##*/}"
done)
# shellcheck disable=SC2086 # one target per word
ninja -C "$build" plugins/risk-scorer/trainer/bench-train plugins/risk-scorer/trainer/medverse-train \
	plugins/risk-scorer/tests/bench-risk-score plugins/risk-scorer/risk-scorer.so $models
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

# "key value" lines -> the value of KEY
field() {
	echo "$1" | awk -v k="$2" '$1 == k { print $2 }'
}
# one table row: comparison, Medverse way, its rate, R way, its rate
row() {
	awk -v m="$1" -v c="$2" -v w="$3" -v a="$4" -v r="$5" -v b="$6" \
		'BEGIN { printf "| %s | %s | %s | %.0f | %s | %.0f | %.3g |\n", m, c, w, a, r, b, a / b }'
}

bench_scoring() {
	echo "| model | comparison | Medverse | scores/CPU s | R (same sets, same run) | scores/CPU s | ratio Medverse/R |"
	echo "|---|---|---|---|---|---|---|"
	for pair in "pce pce-2013-white-men" "framingham framingham-offspring-diabetes-2007"; do
		kind=${pair%% *} model=${pair#* }
		csv=$work/score-$kind-$score_sets.csv
		probs=$work/score-$kind.probs
		[ -f "$csv" ] || /usr/bin/python3 "$here/gen-score-inputs.py" "$kind" "$score_sets" 20261205 "$csv"
		c=$("$build/plugins/risk-scorer/tests/bench-risk-score" \
			"$build/plugins/risk-scorer/risk-scorer.so" "$build/plugins/risk-scorer/data" \
			"$model" "$csv" "$probs" "$score_reps")
		r=$(Rscript "$here/bench-score.R" "$kind" "$csv" "$probs" "$score_reps" | tr ' ' '\n' | paste - -)
		diff=$(field "$r" max_diff)
		if ! awk -v d="$diff" 'BEGIN { exit !(d <= 1e-9) }'; then
			echo "run.sh: $model: R and Medverse probabilities differ by $diff (> 1e-9)" >&2
			exit 1
		fi
		loop=$(field "$r" loop)
		row "$model" single "plugin \`Score\`, one set a call (SDK test host)" "$(field "$c" score)" "per-row loop" "$loop"
		row "" single "plugin \`Score\` detail summary, one set a call (SDK test host)" "$(field "$c" score_summary)" "per-row loop" "$loop"
		row "" single "core \`rs_model_score\` (inputs read and checked)" "$(field "$c" core)" "per-row loop" "$loop"
		row "" single "core + explanation text" "$(field "$c" core_explained)" "per-row loop" "$loop"
		row "" "batch 100" "plugin \`ScoreBatch\` detail full, 100 a call" "$(field "$c" batch100)" "vectorised, 100 a call" "$(field "$r" vec100)"
		row "" "batch 1000" "plugin \`ScoreBatch\` detail full, 1000 a call" "$(field "$c" batch1000)" "vectorised, 1000 a call" "$(field "$r" vec1000)"
		row "" "batch 100" "plugin \`ScoreBatch\` detail summary, 100 a call" "$(field "$c" summary100)" "vectorised, 100 a call" "$(field "$r" vec100)"
		row "" "batch 1000" "plugin \`ScoreBatch\` detail summary, 1000 a call" "$(field "$c" summary1000)" "vectorised, 1000 a call" "$(field "$r" vec1000)"
		row "" "batch 1000" "plugin \`ScoreColumns\`, 1000 rows a call (SDK test host)" "$(field "$c" columns1000)" "vectorised, 1000 a call" "$(field "$r" vec1000)"
		row "" "all sets" "plugin \`ScoreColumns\`, all sets in one call (SDK test host)" "$(field "$c" columnsall)" "vectorised, all sets in one call" "$(field "$r" vecall)"
		row "" "all sets" "core \`rs_model_score_values\` (checked values)" "$(field "$c" core_values)" "vectorised, all sets in one call" "$(field "$r" vecall)"
		echo "$model: $(field "$c" sets) sets; max |Medverse - R| $diff; plugin (Score, ScoreBatch, ScoreColumns) vs core $(field "$c" plugin_vs_core_max_diff), ScoreColumns vs core $(field "$c" columns_vs_core_max_diff)" >&3
	done
}
# the check lines go below the table
scoring=$(bench_scoring 3>"$work/score-checks.txt")

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
	echo "### Risk trainer and scoring vs R (tests/bench/risk/run.sh): $(date -u +%Y-%m-%d) $(git -C "$root" rev-parse --short HEAD), $cpu, $(nproc) CPUs, $(. /etc/os-release && echo "$PRETTY_NAME"), $(Rscript --version 2>&1 | head -1)"
	echo
	echo "$table"
	echo
	echo "medverse-train command line on the $rows-row set (read, fit, apparent figures, 10-fold CV, model file): ${cli_ms} ms"
	echo
	echo "Scoring, $score_sets seeded input sets a model (gen-score-inputs.py, seed 20261205), scores a CPU second (each process's user + system time), medians of $score_reps samples; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end:"
	echo
	echo "$scoring"
	echo
	sed 's/^/- /' "$work/score-checks.txt"
} | tee -a "$results"
