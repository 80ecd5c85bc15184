#!/bin/sh
# The versioning rule (sdk/README.md, "Versions"; docs/packaging.md): the soname major is the
# header's MV_PLUGIN_ABI_VERSION, the library's minor is the newest MEDVERSE_PLUGIN_<abi>.<n>
# node of the version script, the .pc's abi_version is the ABI version and its Version the
# project's.  Checked on the built library and the generated .pc, so a hand-set number that
# drifts from the header or the script fails here.
#   check-versions.sh LIBRARY HEADER VERSION-SCRIPT PC-FILE PROJECT-VERSION
set -eu
lib=$1
header=$2
map=$3
pc=$4
project_version=$5
fail=0

abi=$(sed -n 's/^#define MV_PLUGIN_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$header")
if [ -z "$abi" ]; then
	echo "no '#define MV_PLUGIN_ABI_VERSION N' in $header" >&2
	exit 1
fi
minor=$(sed -n "s/^MEDVERSE_PLUGIN_$abi\\.\\([0-9][0-9]*\\) {.*/\\1/p" "$map" | sort -n | tail -n 1)
minor=${minor:-0}

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "libmedverse-plugin.so.$abi" ]; then
	echo "soname is '$soname', the rule says libmedverse-plugin.so.$abi (MV_PLUGIN_ABI_VERSION $abi)" >&2
	fail=1
fi
real=$(basename "$(readlink -f "$lib")")
if [ "$real" != "libmedverse-plugin.so.$abi.$minor.0" ]; then
	echo "library file is '$real', the rule says libmedverse-plugin.so.$abi.$minor.0 (newest node MEDVERSE_PLUGIN_$abi.$minor)" >&2
	fail=1
fi
pc_abi=$(sed -n 's/^abi_version=//p' "$pc")
if [ "$pc_abi" != "$abi" ]; then
	echo "$pc: abi_version=$pc_abi, the header says $abi" >&2
	fail=1
fi
pc_version=$(sed -n 's/^Version: //p' "$pc")
if [ "$pc_version" != "$project_version" ]; then
	echo "$pc: Version: $pc_version, the project is $project_version" >&2
	fail=1
fi
# relocatable: every path is relative to ${prefix} (only prefix= itself is absolute), and
# Requires names pkg-config modules, so PKG_CONFIG_SYSROOT_DIR and a moved prefix both work
absolute=$(grep -v '^prefix=' "$pc" | grep -E '(^|[ =])-?[IL]?/' || true)
if [ -n "$absolute" ]; then
	echo "$pc has absolute paths besides prefix=:" >&2
	echo "$absolute" >&2
	fail=1
fi
if [ "$fail" -eq 0 ]; then
	echo "ABI $abi.$minor, soname $soname, file $real, .pc Version $pc_version"
fi
exit $fail
