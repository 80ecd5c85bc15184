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
