#!/bin/bash
# Paging benchmark: GET /v1/patients through 100,000 patients of one clinic with limit 100 over
# HTTP (keyset pages, the cursor, the audit entry of each page), per-page p50/p99, against two
# peers in the same run on the same PostgreSQL: the same keyset SELECT of each page sent over
# psql (what the daemon adds), and the same walk with OFFSET paging over psql (what keyset
# paging saves).  Prints the figures and the ratios; record them in tests/bench/RESULTS.md.
#
#   tests/bench/paging/run.sh [N]       (N patients, default 100000; pages of BENCH_LIMIT=100)
#
# Setup: 100 patients are created through the API (real sealed rows), the rest inserted with
# direct SQL as rows of the same shape (random bytes where the wrapped key, blind index and
# sealed profile are: they open nothing, and the list never opens anything), spread over two
# years of created_at/updated_at, then VACUUM ANALYZE (what autovacuum does to a table that
# size).  Last, the plan of a poll's first page (tests/bench/RESULTS.md says why).  Not part
# of the test suite.  Needs curl, psql and python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
n=${1:-100000}
limit=${BENCH_LIMIT:-100}

for tool in curl psql python3; do
	command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done
echo "building in $build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" --buildtype=release -Dtests=false >/dev/null
fi
meson compile -C "$build" daemon/medversed >"$build/bench-compile.log" 2>&1 || {
	tail -40 "$build/bench-compile.log" >&2
	exit 1
}

. "$root/tests/bench/lib/daemon.sh"
bench_tmp paging

cat >"$tmp/medversed.conf" <<CONF
[auth]
rate-limit-per-second=100000
rate-limit-burst=1000000
CONF
"$build/daemon/medversed" --dev --data-dir "$tmp/data" --http 127.0.0.1:0 --bus none \
	--config "$tmp/medversed.conf" 2>"$tmp/medversed.log" &
daemon_pid=$!
for _ in $(seq 600); do
	[ -f "$tmp/data/http.url" ] && break
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/medversed.log" >&2; exit 1; }
	sleep 0.1
done
url=$(cat "$tmp/data/http.url")
op=$(tr -d '[:space:]' <"$tmp/data/operator.key")
clinic=$(curl -sf -H "Authorization: Bearer $op" -H 'Content-Type: application/json' \
	-d '{"name":"Bench clinic"}' "$url/v1/admin/tenants" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
token=$(curl -sf -H "Authorization: Bearer $op" -H 'Content-Type: application/json' \
	-d '{"role":"clinician"}' "$url/v1/admin/tenants/$clinic/keys" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs"
echo "postgresql: $(psql --version | awk '{print $3}')"
MV_URL=$url MV_TOKEN=$token MV_CLINIC=$clinic MV_N=$n MV_LIMIT=$limit \
	MV_PG="host=$tmp/data/pg-socket port=5432 dbname=medverse user=medverse" \
	python3 "$here/bench-paging.py"
