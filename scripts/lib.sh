# Shared by scripts/run and scripts/test (sourced, not run).

# Runs a command quietly, but shows everything it printed when it fails: a CI log or a user's
# terminal must say why a build broke.
quiet() {
	quiet_log=$(mktemp)
	if ! "$@" >"$quiet_log" 2>&1; then
		cat "$quiet_log"
		rm -f "$quiet_log"
		return 1
	fi
	rm -f "$quiet_log"
}

# setup_build DIR [MESON OPTIONS...]: configures DIR, or reconfigures it if it exists.
setup_build() {
	if [ -f "$1/build.ninja" ]; then
		quiet meson setup --reconfigure "$@"
	else
		quiet meson setup "$@"
	fi
}

# check_skips BUILDDIR: names the tests the last `meson test` in BUILDDIR reported as skipped
# (meson-logs/testlog.json; a Criterion binary with a skipped test exits 77, see
# tests/lib/mvt-report.h).  In CI (CI=true) a skip fails the run: nothing may be skipped there,
# and a test that skips for a missing package gets that package in scripts/deps.txt instead.
check_skips() {
	skipped=$(python3 -c '
import json, sys
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        if test.get("result") == "SKIP":
            print("  " + test["name"])
' "$1/meson-logs/testlog.json")
	[ -z "$skipped" ] && return 0
	echo "skipped tests in $1:"
	echo "$skipped"
	if [ "${CI:-}" = true ]; then
		echo "FAIL: a test was skipped in CI; see its log in $1/meson-logs/testlog.txt" >&2
		return 1
	fi
}
