#!/bin/bash
# Engagement benchmark: check-ins per second through HTTP (encrypted: the Observation, the
# check-in row and the ledger entries are sealed) against the same Observations written through
# the clinical record's own route, in the same run on the same daemon (bench.py says how).
#
#   tests/bench/engagement/run.sh [patients] [check-ins per patient]    (default 20 25)
#
# Not part of the test suite.  Uses $BENCH_BUILD_DIR (default: build) as it is.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build}
meson compile -C "$build" medversed >/dev/null

. "$root/tests/bench/lib/daemon.sh"
bench_tmp engagement

cat >"$tmp/medversed.conf" <<CONF
[auth]
rate-limit-per-second=100000
rate-limit-burst=1000000
CONF
mkdir "$tmp/plugins"
"$build/daemon/medversed" --dev --data-dir "$tmp/data" --http 127.0.0.1:0 --bus none \
	--plugin-dir "$tmp/plugins" --config "$tmp/medversed.conf" 2>"$tmp/medversed.log" &
daemon_pid=$!
for _ in $(seq 600); do
	[ -f "$tmp/data/http.url" ] && break
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/medversed.log" >&2; exit 1; }
	sleep 0.1
done
url=$(cat "$tmp/data/http.url")
python3 "$here/bench.py" "$url" "$(tr -d '[:space:]' <"$tmp/data/operator.key")" "$@"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1);" \
	"$(nproc) cpus; commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
