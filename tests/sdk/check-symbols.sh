#!/bin/sh
# The exported symbols of libmedverse-plugin are a contract: the library must export exactly
# the symbols its version script lists, each under the version node the script gives it; and the
# public node (MEDVERSE_PLUGIN_1) must hold exactly the functions the public headers declare,
# the private node exactly those of the private header.
#   check-symbols.sh LIBRARY VERSION-SCRIPT PUBLIC-HEADER-DIR PRIVATE-HEADER
set -eu
lib=$1
map=$2
public_headers=$3
private_header=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name@NODE for every symbol the script makes global
awk '
	/^[ \t]*[A-Za-z0-9_.]+[ \t]*\{/ { node = $1; sub(/\{.*/, "", node); scope = ""; next }
	/^[ \t]*global:/ { scope = "global"; next }
	/^[ \t]*local:/ { scope = "local"; next }
	/^[ \t]*\}/ { node = ""; scope = ""; next }
	scope == "global" && node != "" {
		line = $0
		sub(/\/\*.*\*\//, "", line)
		n = split(line, words, /[ \t;]+/)
		for (i = 1; i <= n; i++)
			if (words[i] != "")
				print words[i] "@" node
	}
' "$map" | sort >"$tmp/expected"

# name@NODE for every defined dynamic symbol, without the version definitions themselves
nm -D --defined-only "$lib" |
	awk '$2 != "A" { print $3 }' |
	sed 's/@@*/@/' |
	sort >"$tmp/exported"

if [ ! -s "$tmp/expected" ]; then
	echo "no global symbols found in $map" >&2
	exit 1
fi
if ! diff -u "$tmp/expected" "$tmp/exported" >"$tmp/diff"; then
	echo "exported symbols of $lib differ from $map (- script, + library):" >&2
	cat "$tmp/diff" >&2
	exit 1
fi
# A declaration is the first "mv_name (" of a line outside comments.  A public
# function belongs to the node of the "Since: ABI X.Y" line of its doc block (MEDVERSE_PLUGIN_X.Y),
# or to MEDVERSE_PLUGIN_1 when the block names no later ABI.
declared() {
	fixed=$1
	shift
	awk -v fixed="$fixed" '
		/\/\*\*/ { since = "1" }
		match($0, /Since: ABI [0-9.]+/) { since = substr($0, RSTART + 11, RLENGTH - 11) }
		# a declaration: the first "mv_name (" of a line outside comments (the return type
		# may stand before it on the same line)
		!/^[ \t]*(\*|\/)/ && match($0, /(^|[ *])mv_[a-z0-9_]+ \(/) {
			name = substr($0, RSTART, RLENGTH - 2)
			sub(/^[ *]/, "", name)
			node = fixed != "" ? fixed : "MEDVERSE_PLUGIN_" since
			print name "@" node
		}
	' "$@" | sort -u
}
declared "" "$public_headers"/*.h >"$tmp/declared"
declared MEDVERSE_PLUGIN_PRIVATE "$private_header" >>"$tmp/declared"
sort -o "$tmp/declared" "$tmp/declared"
if ! diff -u "$tmp/declared" "$tmp/expected" >"$tmp/diff"; then
	echo "the headers and $map disagree (- headers, + script):" >&2
	cat "$tmp/diff" >&2
	exit 1
fi
echo "$(wc -l <"$tmp/exported") symbols, all in $(basename "$map")"
