#!/bin/sh
# Lints the API document ($1) with Redocly CLI's recommended ruleset (redocly.yaml), offline.
# The linter is pinned in package-lock.json and installed by scripts/install-deps (npm ci).
# A warning fails the test as an error does: the document must lint clean.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli="$here/node_modules/.bin/redocly"
if [ ! -x "$cli" ]; then
	echo "openapi-lint: $cli is missing: run scripts/install-deps (npm ci in tests/openapi)" >&2
	exit 1
fi
# no telemetry, no update check: the test needs no network
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
status=0
out=$("$cli" lint --config "$here/redocly.yaml" "$1" 2>&1) || status=$?
printf '%s\n' "$out"
if [ "$status" -ne 0 ]; then
	exit "$status"
fi
if printf '%s\n' "$out" | grep -Eq 'You have [0-9]+ warnings?'; then
	echo "openapi-lint: the document has warnings; fix the generator (daemon/mv-openapi.c)" >&2
	exit 1
fi
