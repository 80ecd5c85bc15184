#!/bin/sh
# Builds the example plugin the way a third party does, finding the SDK only through pkg-config,
# with plain cc and with its own meson build, then loads each result into the SDK's test host.
#   third-party-build.sh SDK-INCLUDE-DIR SDK-LIB-DIR EXAMPLE-DIR LOAD-PLUGIN MESON
set -eu
include_dir=$1
lib_dir=$2
example=$3
load_plugin=$4
meson=$5
expected='{"bmi":22.9,"category":"normal"}'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The SDK as installed: only the public headers, under the include subdir the real .pc uses.
mkdir -p "$tmp/include/medverse-1/medverse" "$tmp/pkgconfig"
cp "$include_dir"/medverse/*.h "$tmp/include/medverse-1/medverse/"
cat >"$tmp/pkgconfig/medverse-plugin.pc" <<PC
prefix=$tmp/prefix
includedir=$tmp/include
libdir=$lib_dir
plugindir=\${prefix}/lib/medverse/plugins
abi_version=1

Name: medverse-plugin
Description: SDK for writing Medverse daemon plugins (build tree)
Version: 0.1.0
Requires: glib-2.0, gio-2.0, gmodule-2.0, json-glib-1.0
Libs: -L\${libdir} -lmedverse-plugin
Cflags: -I\${includedir}/medverse-1
PC
PKG_CONFIG_PATH=$tmp/pkgconfig
export PKG_CONFIG_PATH
pkg-config --exists medverse-plugin

check_plugin() {
	so=$1
	# a plugin exports its entry point and nothing else
	exported=$(nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }')
	if [ "$exported" != "mv_plugin_entry" ]; then
		echo "$so exports more than mv_plugin_entry:" >&2
		echo "$exported" >&2
		exit 1
	fi
	got=$("$load_plugin" "$so" Compute '{"weight_kg":70,"height_cm":175}')
	if [ "$got" != "$expected" ]; then
		echo "$so: Compute gave $got, expected $expected" >&2
		exit 1
	fi
	echo "$so: $got"
}

# 1. plain cc, exactly as the example's README says
mkdir "$tmp/cc"
# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc -shared -fPIC -fvisibility=hidden \
	-o "$tmp/cc/bmi.so" "$example/bmi.c" $(pkg-config --cflags --libs medverse-plugin) -lm
check_plugin "$tmp/cc/bmi.so"

# 2. the example's own meson project, out of tree, installed into a staging dir
"$meson" setup "$tmp/meson" "$example" >"$tmp/meson.log" 2>&1 || {
	cat "$tmp/meson.log" >&2
	exit 1
}
"$meson" compile -C "$tmp/meson" >>"$tmp/meson.log" 2>&1 || {
	cat "$tmp/meson.log" >&2
	exit 1
}
check_plugin "$tmp/meson/bmi.so"
DESTDIR=$tmp/dest "$meson" install -C "$tmp/meson" >>"$tmp/meson.log" 2>&1 || {
	cat "$tmp/meson.log" >&2
	exit 1
}
# installed where the SDK's plugindir variable says
test -f "$tmp/dest$tmp/prefix/lib/medverse/plugins/bmi.so" || {
	echo "meson install did not put bmi.so in the SDK's plugindir:" >&2
	find "$tmp/dest" -type f >&2
	exit 1
}
