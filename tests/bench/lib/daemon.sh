# Shared by the benchmarks that run medversed (sourced by bash scripts): a temp dir that goes
# away on exit, and the daemon started in it (--dev: embedded PostgreSQL) and stopped with its
# PostgreSQL however the script ends.
#
#   . "$root/tests/bench/lib/daemon.sh"
#   bench_tmp NAME                          -> $tmp, removed on exit with the daemon stopped
#   bench_daemon_start MEDVERSED [ARGS...]  -> $daemon_pid, $url; log in $tmp/medversed.log

daemon_pid=
tmp=

bench_cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid"
		for _ in $(seq 300); do
			kill -0 "$daemon_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$daemon_pid" 2>/dev/null || true
	fi
	# a daemon that had to be killed leaves its PostgreSQL running: stop it (immediate mode)
	if [ -n "$tmp" ] && [ -f "$tmp/data/pg/postmaster.pid" ]; then
		kill -QUIT "$(head -1 "$tmp/data/pg/postmaster.pid")" 2>/dev/null || true
		sleep 1
	fi
	[ -z "$tmp" ] || rm -rf "$tmp"
}

bench_tmp() {
	tmp=$(mktemp -d "/tmp/mv-bench-$1-XXXXXX")
	# the daemon's embedded PostgreSQL runs as an unprivileged user when we are root
	chmod 0755 "$tmp"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_daemon_start() {
	local program=$1
	shift
	"$program" --dev --data-dir "$tmp/data" --http 127.0.0.1:0 --bus none "$@" \
		2>"$tmp/medversed.log" &
	daemon_pid=$!
	for _ in $(seq 600); do
		[ -s "$tmp/data/http.url" ] && break
		kill -0 "$daemon_pid" 2>/dev/null || {
			cat "$tmp/medversed.log" >&2
			exit 1
		}
		sleep 0.1
	done
	url=$(cat "$tmp/data/http.url")
}
