#!/bin/sh
# The build's check that the core has no transport (daemon/check-core-transport.py) passes on
# the real core and refuses a core file that includes libsoup, a GDBus header or an adapter's
# header, or uses GDBus through <gio/gio.h>.
#   test-core-transport.sh CHECKER DAEMON-SOURCE-DIR CORE-SOURCE...
set -eu
checker=$1
dir=$2
shift 2
"$checker" --include-dir "$dir" "$@"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
refuses() {
	printf '%s\n' "$1" >"$tmp/mv-core-file.c"
	cat "$dir/mv-locale.c" >>"$tmp/mv-core-file.c"
	if "$checker" --include-dir "$dir" "$tmp/mv-core-file.c" 2>"$tmp/err"; then
		echo "FAIL: the check accepted a core file with: $1" >&2
		exit 1
	fi
	grep -q "$2" "$tmp/err" || {
		echo "FAIL: no '$2' in:" >&2
		cat "$tmp/err" >&2
		exit 1
	}
}
refuses '#include <libsoup/soup.h>' 'includes libsoup'
refuses '#include <gio/gdbusconnection.h>' 'GDBus header'
refuses '#include "mv-dbus.h"' "adapter's header"
refuses '#include "auth/mv-auth-adapters.h"' "adapter's header"
refuses 'static void f (void) { g_dbus_connection_flush_sync (NULL, NULL, NULL); }' 'transport API g_dbus_connection_flush_sync'
echo "the core check passes on the core and refuses 5 kinds of transport code"
