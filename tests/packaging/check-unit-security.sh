#!/bin/sh
# The generated unit's exposure as `systemd-analyze security --offline=true` rates it must be at
# most MAX (issue 16: 2.0).  Prints the score and every line still counting against it.
#   check-unit-security.sh UNIT MAX
set -eu
unit=$1
max=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd-analyze not installed (package systemd)" >&2
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the unit is analysed under its own name, as systemd would load it
cp "$unit" "$tmp/medversed.service"
# --offline=true (systemd >= 250) reads the file without a running manager; the exit status
# says whether it could be parsed, the score is checked below (--threshold counts in tenths)
if ! systemd-analyze security --offline=true --no-pager "$tmp/medversed.service" >"$tmp/out" 2>"$tmp/err"; then
	cat "$tmp/out" "$tmp/err" >&2
	exit 1
fi
# a line systemd could not parse is ignored by it, weakening the unit without a word: refuse it
if grep -E 'Unknown|Failed to parse|ignoring' "$tmp/err" >&2; then
	echo "systemd-analyze could not parse every line of $unit" >&2
	exit 1
fi
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/out")
if [ -z "$score" ]; then
	echo "no overall exposure level in the output:" >&2
	cat "$tmp/out" >&2
	exit 1
fi
echo "systemd-analyze security --offline=true: exposure $score (at most $max)"
grep '✗' "$tmp/out" | sed 's/  */ /g' || true
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s > m) }'; then
	echo "exposure $score is above $max" >&2
	exit 1
fi
