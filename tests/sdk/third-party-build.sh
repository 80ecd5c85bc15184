#!/bin/sh
# Builds the example plugin the way a third party does, finding the SDK only through pkg-config,
# with plain cc and with its own meson build, then loads each result into the SDK's test host;
# then builds and tests the installed template of a packaged plugin (sdk/template) likewise.
# The SDK is the real installed one: this build's `meson install` into a staging dir, found
# through the generated medverse-plugin.pc with PKG_CONFIG_SYSROOT_DIR, so a .pc that names the
# wrong include dir, library or variable fails here.
#   third-party-build.sh BUILD-DIR EXAMPLE-DIR LOAD-PLUGIN MESON
set -eu
build_dir=$1
example=$2
load_plugin=$3
meson=$4
expected='{"bmi":22.9,"category":"normal"}'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The SDK as a package installs it: headers, library and .pc (tags devel and runtime).  No
# rebuild: meson test has built what the test depends on, and a nested ninja run would race it.
sysroot=$tmp/sysroot
"$meson" install -C "$build_dir" --no-rebuild --quiet --tags devel,runtime \
	--destdir "$sysroot" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log" >&2
	exit 1
}
pc=$(find "$sysroot" -name medverse-plugin.pc -path '*/pkgconfig/*')
if [ -z "$pc" ]; then
	echo "meson install put no medverse-plugin.pc under a pkgconfig dir:" >&2
	find "$sysroot" >&2
	exit 1
fi
# pkg-config puts the sysroot in front of every -I and -L, those of the system's glib and
# json-glib (Requires:) too: let the sysroot show the system's own headers and libraries.
# With --prefix=/usr the install already made some of those directories: merge, don't nest.
overlay() { # overlay SYSTEM_DIR SYSROOT_DIR: SYSROOT_DIR shows SYSTEM_DIR's entries it lacks
	if [ ! -e "$2" ]; then
		mkdir -p "$(dirname "$2")"
		ln -s "$1" "$2"
		return
	fi
	for entry in "$1"/*; do
		if [ -d "$2/${entry##*/}" ] && [ ! -L "$2/${entry##*/}" ]; then
			overlay "$entry" "$2/${entry##*/}"
		elif [ ! -e "$2/${entry##*/}" ]; then
			ln -s "$entry" "$2/${entry##*/}"
		fi
	done
}
overlay /usr/include "$sysroot/usr/include"
overlay /usr/lib "$sysroot/usr/lib"
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$sysroot
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
pkg-config --exists --print-errors medverse-plugin

# what the .pc hands out must be the installed SDK, never the source or build tree
src_root=$(cd "$example/../../.." && pwd)
build_root=$(cd "$build_dir" && pwd)
cflags=$(pkg-config --cflags medverse-plugin)
libs=$(pkg-config --libs medverse-plugin)
case " $cflags $libs " in
*"$src_root"* | *"$build_root"*)
	echo "medverse-plugin.pc points into the source or build tree: $cflags $libs" >&2
	exit 1
	;;
esac
case " $cflags " in
*" -I$sysroot/"*"/medverse-1 "*) ;;
*)
	echo "medverse-plugin.pc Cflags lack the installed medverse-1 include dir: $cflags" >&2
	exit 1
	;;
esac
plugindir=$(pkg-config --variable=plugindir medverse-plugin)
abi=$(pkg-config --variable=abi_version medverse-plugin)
if [ -z "$plugindir" ] || [ "$abi" != 1 ]; then
	echo "medverse-plugin.pc: plugindir='$plugindir' abi_version='$abi'" >&2
	exit 1
fi

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
# installed where the SDK's plugindir variable says (pkgconf may already have put the sysroot
# in front of it; meson asked the same pkg-config, so the two agree)
test -f "$tmp/dest$plugindir/bmi.so" || {
	echo "meson install did not put bmi.so in the SDK's plugindir $plugindir:" >&2
	find "$tmp/dest" -type f >&2
	exit 1
}

# 3. the template of a packaged third-party plugin, as the -dev package installs it (its doc
# dir's template/): configure, build, run its own test (the built hello.so in the SDK's test
# host, with the installed library), install into the plugindir
template=$(find "$sysroot" -type d -path '*/doc/*/template' | head -n 1)
if [ -z "$template" ] || [ ! -f "$template/meson.build" ] || [ ! -f "$template/debian/control" ]; then
	echo "meson install put no template (meson.build, debian/) under a doc dir:" >&2
	find "$sysroot" -path '*/doc/*' >&2
	exit 1
fi
cp -r "$template" "$tmp/hello"
# its debian/ must give a source package dpkg accepts: an executable rules file (git and the
# install keep the mode), a changelog that parses, and a version that fits the source format
# (a native package has no Debian revision) — dpkg-source -b checks the last one and builds
# the source package only; nothing is installed and no Build-Depends are needed.
test -x "$tmp/hello/debian/rules" || {
	echo "the template's debian/rules is not executable: dpkg-buildpackage refuses it" >&2
	exit 1
}
if command -v dpkg-source >/dev/null 2>&1; then
	version=$(cd "$tmp/hello" && dpkg-parsechangelog -S Version)
	(cd "$tmp" && dpkg-source -b hello) >"$tmp/dpkg-source.log" 2>&1 || {
		cat "$tmp/dpkg-source.log" >&2
		echo "dpkg-source -b refused the template (version $version)" >&2
		exit 1
	}
	echo "template: dpkg-source -b built its source package, version $version"
	rm -f "$tmp"/medverse-plugin-hello_*
else
	echo "template: no dpkg-source here, its source package is not checked"
fi
sdk_lib=$(find "$sysroot" -name 'libmedverse-plugin.so.*' | head -n 1)
sdk_libdir=$(dirname "$sdk_lib")
# An SDK built with ASan (the `sanitize` option, as scripts/test's first stage builds it) needs
# the ASan runtime first in a program that loads it: the template's test program is then built
# with the same sanitizers, as a plugin author using such an SDK would have to.
sanitize=
if readelf -d "$sdk_lib" | grep -q 'NEEDED.*libasan'; then
	sanitize="-Db_sanitize=address,undefined -Db_lundef=false"
fi
for step in "setup $sanitize $tmp/hello-build $tmp/hello" "compile -C $tmp/hello-build" \
	"test -C $tmp/hello-build --print-errorlogs"; do
	# shellcheck disable=SC2086 # the step is meant to be split
	LD_LIBRARY_PATH=$sdk_libdir "$meson" $step >>"$tmp/hello.log" 2>&1 || {
		cat "$tmp/hello.log" >&2
		exit 1
	}
done
DESTDIR=$tmp/hello-dest "$meson" install -C "$tmp/hello-build" >>"$tmp/hello.log" 2>&1 || {
	cat "$tmp/hello.log" >&2
	exit 1
}
test -f "$tmp/hello-dest$plugindir/hello.so" || {
	echo "the template's meson install did not put hello.so in the SDK's plugindir $plugindir" >&2
	exit 1
}
echo "template: built, its test passed, hello.so installed into $plugindir"
