#!/bin/sh
# An SDK-only build (-Ddaemon=false -Dtests=false) of this source tree looks up only what
# libmedverse-plugin links (glib-2.0, gio-2.0, gmodule-2.0, json-glib-1.0), builds, and installs
# only the SDK: library, headers, .pc, the SDK docs (README, example, template).
#   check-sdk-only.sh MESON SOURCE-DIR
set -eu
meson=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$meson" setup "$tmp/build" "$src" -Ddaemon=false -Dtests=false >"$tmp/setup.log" 2>&1 || {
	cat "$tmp/setup.log" >&2
	exit 1
}
# every dependency meson looked up, found or not ("Run-time dependency X found: …")
looked_up=$(sed -n 's/^\(Run-time dependency\|Dependency\|Found pkg-config\).* \([A-Za-z0-9_.+-]*\) found:.*/\2/p' \
	"$tmp/build/meson-logs/meson-log.txt" | sort -u)
extra=$(echo "$looked_up" | grep -vxE 'glib-2.0|gio-2.0|gmodule-2.0|json-glib-1.0|' || true)
if [ -n "$extra" ]; then
	echo "an SDK-only build looked up more than the SDK links:" >&2
	echo "$extra" >&2
	exit 1
fi
"$meson" compile -C "$tmp/build" >"$tmp/compile.log" 2>&1 || {
	cat "$tmp/compile.log" >&2
	exit 1
}
DESTDIR=$tmp/dest "$meson" install -C "$tmp/build" --no-rebuild >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log" >&2
	exit 1
}
unexpected=$(cd "$tmp/dest" && find . -type f -o -type l | grep -vE \
	'/lib/[^/]*/?libmedverse-plugin\.so(\.[0-9]+)*$|/lib/([^/]*/)?pkgconfig/medverse-plugin\.pc$|/include/medverse-1/medverse/[a-z-]+\.h$|/share/doc/libmedverse-plugin-dev/' || true)
if [ -n "$unexpected" ]; then
	echo "an SDK-only build installed more than the SDK:" >&2
	echo "$unexpected" >&2
	exit 1
fi
echo "looked up: $(echo "$looked_up" | tr '\n' ' ')"
echo "installed: $(cd "$tmp/dest" && find . -type f | wc -l) files, all of the SDK"
