#!/bin/bash
# The same plugin call in process and isolated, over HTTP, in one daemon (issue 15): medversed
# (--dev, embedded PostgreSQL) loads the bmi example twice — `bmi` with isolation = in-process
# and `bmi-twin` (the same source under a second name, bmi-twin.c) with isolation = process —
# and wrk drives POST /v1/plugins/<name>/Compute on each, authenticated as a clinic calls it,
# alternating which goes first, for BENCH_ROUNDS rounds at BENCH_CONNECTIONS connections (the
# throughput ratio) and at 1 connection (the latency overhead).  Prints every run, the medians
# and the ratios, with the load average.
#
#   tests/bench/isolation/run.sh http    (MEDVERSE_BUILD_DIR=build, BENCH_DURATION=10s,
#                                        BENCH_ROUNDS=3, BENCH_CONNECTIONS=16,
#                                        BENCH_PROCESSES=<the default of `processes`>)
#
# wrk runs with ONE thread: on a 2-CPU machine it competes with the daemon and the hosts, and a
# second wrk thread only takes more of the CPUs it measures.  Not part of the test suite.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${MEDVERSE_BUILD_DIR:-$root/build}
duration=${BENCH_DURATION:-10s}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-16}
processes=${BENCH_PROCESSES:-}

command -v wrk >/dev/null || {
	echo "wrk is missing (apt-get install wrk)" >&2
	exit 1
}
meson compile -C "$build" daemon/medversed medverse-plugin-host bmi bmi-twin \
	>"$build/bench-isolation-compile.log" 2>&1 || {
	tail -40 "$build/bench-isolation-compile.log" >&2
	exit 1
}

. "$root/tests/bench/lib/daemon.sh"
bench_tmp isolation

mkdir "$tmp/plugins"
cp "$build/sdk/examples/bmi.so" "$build/tests/bench/isolation/bmi-twin.so" "$tmp/plugins/"
# the per-key rate limit would answer most of the run 429: out of the way for the benchmark
{
	printf '[auth]\nrate-limit-per-second=100000\nrate-limit-burst=1000000\n'
	printf '[plugin.bmi]\nisolation=in-process\n'
	printf '[plugin.bmi-twin]\nisolation=process\n'
	[ -z "$processes" ] || printf 'processes=%s\n' "$processes"
} >"$tmp/medversed.conf"
bench_daemon_start "$build/daemon/medversed" --plugin-dir "$tmp/plugins" \
	--config "$tmp/medversed.conf"
MV_BENCH_TOKEN=$(tr -d '[:space:]' <"$tmp/data/operator.key")
export MV_BENCH_TOKEN

# both answer, the same, and only bmi-twin has host processes
compute() {
	curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $MV_BENCH_TOKEN" \
		-d '{"weight_kg":70,"height_cm":175}' "$url/v1/plugins/$1/Compute"
}
in_answer=$(compute bmi)
iso_answer=$(compute bmi-twin)
[ "$in_answer" = "$iso_answer" ] || {
	echo "bmi answered $in_answer, bmi-twin $iso_answer" >&2
	exit 1
}
hosts=$(pgrep -c -P "$daemon_pid" -f medverse-plugin-host || true)
grep -q "loaded plugin bmi-twin .*(isolated" "$tmp/medversed.log" || {
	echo "bmi-twin is not isolated:" >&2
	cat "$tmp/medversed.log" >&2
	exit 1
}

to_us() { # "1.23ms" / "456.78us" / "1.02s" -> microseconds
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n += 0
		else if (v ~ /ms$/) n *= 1000
		else if (v ~ /s$/) n *= 1000000
		printf "%.0f", n
	}'
}
# CPU time (clock ticks) of the daemon and its host processes: per request, a cost that the
# other processes on the machine disturb far less than requests/s
ticks() {
	local t=0 pid
	for pid in "$daemon_pid" $(pgrep -P "$daemon_pid" -f medverse-plugin-host); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
	done
	echo "$t"
}
hz=$(getconf CLK_TCK)
declare -A rps p50 p99 cpu
run() { # mode (in|iso) plugin connections round
	local key="$1-$3-$4" out t0 n
	t0=$(ticks)
	out=$(wrk -t1 -c"$3" -d"$duration" --latency -s "$root/tests/bench/http/post-compute.lua" \
		"$url/v1/plugins/$2/Compute")
	n=$(awk '/ requests in / { print $1 }' <<<"$out")
	cpu[$key]=$(awk -v t="$(($(ticks) - t0))" -v hz="$hz" -v n="$n" \
		'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
	if grep -q "Non-2xx or 3xx responses\|Socket errors" <<<"$out"; then
		echo "$key: errors during the run:" >&2
		echo "$out" >&2
		exit 1
	fi
	rps[$key]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	p50[$key]=$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
	p99[$key]=$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
	printf '  round %s  %-10s -c%-3s %8s req/s   p50 %6s us   p99 %7s us   CPU %4s us/req\n' \
		"$4" "$([ "$1" = in ] && echo in-process || echo isolated)" "$3" "${rps[$key]}" \
		"${p50[$key]}" "${p99[$key]}" "${cpu[$key]}"
}
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END {
	if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "medversed at $url; bmi in process, bmi-twin isolated (${hosts} host processes)"
echo "wrk -t1 -d$duration --latency, -c$connections and -c1, $rounds rounds, order alternating"
echo "before: $(uptime)"
# a short warm-up of both (first calls, key cache, malloc arenas)
wrk -t1 -c"$connections" -d2s -s "$root/tests/bench/http/post-compute.lua" \
	"$url/v1/plugins/bmi/Compute" >/dev/null
wrk -t1 -c"$connections" -d2s -s "$root/tests/bench/http/post-compute.lua" \
	"$url/v1/plugins/bmi-twin/Compute" >/dev/null
for r in $(seq "$rounds"); do
	for c in "$connections" 1; do
		if [ $((r % 2)) -eq 1 ]; then
			run in bmi "$c" "$r"
			run iso bmi-twin "$c" "$r"
		else
			run iso bmi-twin "$c" "$r"
			run in bmi "$c" "$r"
		fi
	done
done
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "after: $(uptime)"

echo
echo "| round | in-process req/s (-c$connections) | isolated req/s | ratio | CPU µs/req in-process / isolated | CPU ratio in/iso | in-process p50 / p99 µs (-c1) | isolated p50 / p99 µs (-c1) | p50 overhead µs |"
echo "|---|---|---|---|---|---|---|---|---|"
ratios=() cpu_ratios=() overheads=() in_rps=() iso_rps=() in_p50=() iso_p50=()
for r in $(seq "$rounds"); do
	a=in-$connections-$r b=iso-$connections-$r x=in-1-$r y=iso-1-$r
	ratios+=("$(ratio "${rps[$b]}" "${rps[$a]}")")
	cpu_ratios+=("$(ratio "${cpu[$a]}" "${cpu[$b]}")")
	overheads+=($((p50[$y] - p50[$x])))
	in_rps+=("${rps[$a]}") iso_rps+=("${rps[$b]}") in_p50+=("${p50[$x]}") iso_p50+=("${p50[$y]}")
	echo "| $r | ${rps[$a]} | ${rps[$b]} | ${ratios[-1]} | ${cpu[$a]} / ${cpu[$b]} |" \
		"${cpu_ratios[-1]} | ${p50[$x]} / ${p99[$x]} | ${p50[$y]} / ${p99[$y]} |" \
		"${overheads[-1]} |"
done
echo "| median | $(median <<<"${in_rps[*]}") | $(median <<<"${iso_rps[*]}") |" \
	"$(median <<<"${ratios[*]}") | | $(median <<<"${cpu_ratios[*]}") |" \
	"$(median <<<"${in_p50[*]}") | $(median <<<"${iso_p50[*]}") | $(median <<<"${overheads[*]}") |"
echo
echo "throughput isolated/in-process (-c$connections), median of $rounds: $(median <<<"${ratios[*]}") (goal >= 0.7)"
echo "CPU per request in-process/isolated (-c$connections), median of $rounds: $(median <<<"${cpu_ratios[*]}")" \
	"(the throughput ratio when the daemon has the CPUs to itself)"
echo "p50 overhead at -c1, median of $rounds: $(median <<<"${overheads[*]}") us (goal <= 100)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1);" \
	"$(nproc) cpus; load average at the end $load; host processes $hosts;" \
	"commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
