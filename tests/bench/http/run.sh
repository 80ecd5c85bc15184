#!/bin/bash
# HTTP benchmark: requests/s and p99 latency of medversed's /healthz and of a plugin call
# (POST /v1/plugins/bmi/Compute), against nginx serving static files of the same sizes, in the
# same run on the same machine.  Prints the figures and the daemon/nginx ratios.
#
#   tests/bench/http/run.sh            (BENCH_DURATION=10s BENCH_THREADS=2 BENCH_CONNECTIONS=32)
#
# Not part of the test suite.  Installs wrk and nginx-light with apt-get if they are missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
duration=${BENCH_DURATION:-10s}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-32}

sudo_if_needed() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]}"
	sudo_if_needed apt-get update -qq
	sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

echo "building in $build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" -Dtests=false >/dev/null || {
		echo "meson setup failed" >&2
		exit 1
	}
fi
meson compile -C "$build" >"$build/bench-compile.log" 2>&1 || {
	tail -40 "$build/bench-compile.log" >&2
	exit 1
}

tmp=$(mktemp -d /tmp/mv-bench-XXXXXX)
# the daemon's embedded PostgreSQL runs as an unprivileged user when we are root
chmod 0755 "$tmp"
daemon_pid=
nginx_pid=
# waits up to 30 s for a child to exit
wait_bounded() {
	local pid=$1 name=$2
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	echo "$name (pid $pid) still running 30 s after the signal; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid"
		wait_bounded "$daemon_pid" medversed
	fi
	# a daemon that had to be killed leaves its PostgreSQL running: stop it (immediate mode)
	if [ -f "$tmp/data/pg/postmaster.pid" ]; then
		kill -QUIT "$(head -1 "$tmp/data/pg/postmaster.pid")" 2>/dev/null || true
		sleep 1
	fi
	if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
		kill -QUIT "$nginx_pid"
		wait_bounded "$nginx_pid" nginx
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- the daemon, with the example plugin only
mkdir "$tmp/plugins"
cp "$(find "$build/sdk" -name bmi.so -print -quit)" "$tmp/plugins/"
# the per-key rate limit would answer most of the run 429: out of the way for the benchmark
cat >"$tmp/medversed.conf" <<CONF
[auth]
rate-limit-per-second=100000
rate-limit-burst=1000000
CONF
"$build/daemon/medversed" --dev --data-dir "$tmp/data" --http 127.0.0.1:0 --bus none \
	--plugin-dir "$tmp/plugins" --config "$tmp/medversed.conf" 2>"$tmp/medversed.log" &
daemon_pid=$!
for _ in $(seq 600); do
	[ -f "$tmp/data/http.url" ] && break
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/medversed.log" >&2; exit 1; }
	sleep 0.1
done
daemon_url=$(cat "$tmp/data/http.url")
echo "medversed at $daemon_url"

# an authenticated call, as a clinic makes it: the operator key --dev wrote
MV_BENCH_TOKEN=$(tr -d '[:space:]' <"$tmp/data/operator.key")
export MV_BENCH_TOKEN
compute_body='{"weight_kg":70,"height_cm":175}'
health=$(curl -sf "$daemon_url/healthz")
compute=$(curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $MV_BENCH_TOKEN" \
	-d "$compute_body" "$daemon_url/v1/plugins/bmi/Compute")

# --- nginx serving files of exactly the same sizes
mkdir -p "$tmp/www" "$tmp/nginx"
printf '%s' "$health" >"$tmp/www/healthz"
printf '%s' "$compute" >"$tmp/www/compute"
chmod -R a+rX "$tmp/www"
port=
for p in $(seq 18080 18180); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "no free port for nginx" >&2; exit 1; }
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	default_type application/json;
	server {
		listen 127.0.0.1:$port;
		root $tmp/www;
	}
}
CONF
"$nginx" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/stderr.log" &
nginx_pid=$!
nginx_url=http://127.0.0.1:$port
for _ in $(seq 100); do
	curl -sf "$nginx_url/healthz" >/dev/null && break
	sleep 0.1
done
[ "$(curl -sf "$nginx_url/healthz")" = "$health" ] || {
	echo "nginx does not serve the file" >&2
	cat "$tmp/nginx/stderr.log" "$tmp/nginx/error.log" >&2 || true
	exit 1
}
echo "nginx at $nginx_url"

# --- wrk
to_ms() { # "1.23ms" / "456.78us" / "1.02s" -> milliseconds
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000
		else if (v ~ /ms$/) n += 0
		else if (v ~ /m$/) n *= 60000
		else if (v ~ /s$/) n *= 1000
		printf "%.3f", n
	}'
}
declare -A rps p99
run() { # name url [lua script]
	local name=$1 url=$2 out
	local args=(-t"$threads" -c"$connections" -d"$duration" --latency)
	[ $# -ge 3 ] && args+=(-s "$3")
	out=$(wrk "${args[@]}" "$url")
	echo "$out" >"$tmp/wrk-$name.txt"
	if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
		echo "$name: errors during the run:" >&2
		echo "$out" >&2
		exit 1
	fi
	rps[$name]=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	p99[$name]=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
	printf '  %-22s %12s req/s   p99 %9s ms\n' "$name" "${rps[$name]}" "${p99[$name]}"
}

echo "wrk -t$threads -c$connections -d$duration --latency; /healthz body ${#health} bytes," \
	"Compute body ${#compute} bytes"
run daemon-healthz "$daemon_url/healthz"
run nginx-healthz "$nginx_url/healthz"
run daemon-compute "$daemon_url/v1/plugins/bmi/Compute" "$here/post-compute.lua"
# nginx does not take a POST for a static file: a GET of a file the size of the answer
run nginx-compute "$nginx_url/compute"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "| endpoint | medversed req/s | nginx req/s | ratio | medversed p99 ms | nginx p99 ms | ratio |"
echo "|---|---|---|---|---|---|---|"
for what in healthz compute; do
	d=daemon-$what n=nginx-$what
	echo "| $what | ${rps[$d]} | ${rps[$n]} | $(ratio "${rps[$d]}" "${rps[$n]}") |" \
		"${p99[$d]} | ${p99[$n]} | $(ratio "${p99[$d]}" "${p99[$n]}") |"
done
echo
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1);" \
	"$(nproc) cpus; commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
