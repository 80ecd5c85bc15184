#!/bin/sh
# Each man page names everything the code has: medversed(8) every option of `medversed
# --help-all`; medversectl(1) every command, sub-command and option of `medversectl --help-all`
# and of its audit command; medversed.conf(5) every group and key of `medversed
# --print-config-example`.  Checked in the scdoc sources (the roff escapes every '-').
#   check-man-pages.sh MEDVERSED MEDVERSECTL MEDVERSED-8-SCD MEDVERSECTL-1-SCD MEDVERSED-CONF-5-SCD
set -eu
medversed=$1
medversectl=$2
page8=$3
page1=$4
page5=$5
missing=$(mktemp)
trap 'rm -f "$missing"' EXIT

need() { # need PAGE TEXT WHAT: PAGE contains TEXT literally
	grep -qF -- "$2" "$1" || echo "$(basename "$1"): no '$2' ($3)" >>"$missing"
}
need_option() { # need_option PAGE OPTION WHAT: OPTION in bold, alone or in a list "*-c, --config*"
	grep -qE -- "(\*|, )$2(\*|=|,|\$)" "$1" || echo "$(basename "$1"): no option '$2' ($3)" >>"$missing"
}

# options: "-c, --config=FILE" -> -c and --config
options() {
	sed -n 's/^  *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\1\2/p' |
		tr -d ',' | tr ' ' '\n' | grep -E '^-' || true
}
for opt in $("$medversed" --help-all | options); do
	need_option "$page8" "$opt" "medversed option"
done
for opt in $("$medversectl" --help-all | options); do
	need_option "$page1" "$opt" "medversectl option"
done
# audit's own options, from its usage line
for opt in $("$medversectl" audit --help 2>&1 | grep -oE -- '\[--[a-z-]+' | tr -d '['); do
	need_option "$page1" "$opt" "medversectl audit option"
done

# commands: the first word of each line of the Commands section; a sub-command: the first word of
# each '|'-separated alternative of its help when an argument or nothing follows it (not prose)
"$medversectl" --help-all | awk '
	/^Commands:/ { on = 1; next }
	on && /^$/ { exit }
	on {
		cmd = $1
		print cmd
		sub(/^ *[^ ]+ +/, "")
		n = split($0, alts, /\|/)
		for (i = 1; i <= n; i++) {
			m = split(alts[i], w, /[ \t]+/)
			j = (w[1] == "") ? 2 : 1
			sub_ = w[j]; next_ = w[j + 1]; sub(/:$/, "", sub_)
			if (sub_ !~ /^[a-z][a-z-]*$/ || sub_ == cmd)
				continue
			if (next_ == "" || next_ ~ /^[A-Z[\x27]/ || w[j] ~ /:$/)
				print cmd " " sub_
		}
	}' >"$missing.cmds"
if [ ! -s "$missing.cmds" ]; then
	echo "no commands found in medversectl --help-all" >&2
	rm -f "$missing.cmds"
	exit 1
fi
while read -r cmd; do
	need "$page1" "*$cmd" "medversectl command"
done <"$missing.cmds"
cat "$missing.cmds" | tr "\n" "," | sed "s/^/commands checked: /; s/,$/\n/"
rm -f "$missing.cmds"

# keys and groups of the configuration
for group in $("$medversed" --print-config-example | sed -n 's/^\[\(.*\)\]$/\1/p; s/^# \[\([^]]*\)\]:.*/\1/p'); do
	need "$page5" "## [$group]" "configuration group"
done
for key in $("$medversed" --print-config-example | sed -n 's/^#\([a-z][a-z0-9-]*\)=.*/\1/p'); do
	need "$page5" "*$key*" "configuration key"
done

if [ -s "$missing" ]; then
	cat "$missing" >&2
	exit 1
fi
echo "every option, command and configuration key is in its man page"
