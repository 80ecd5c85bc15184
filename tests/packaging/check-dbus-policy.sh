#!/bin/sh
# The packaged D-Bus policy in a real dbus-daemon with the system bus's default policy: who may
# own org.medverse.Health1 and who may call which interface.  The policy's user and groups are
# mapped onto accounts every Debian system has (medverse -> daemon, medverse-admin -> adm,
# medverse-gateway -> users); callers run under those identities with setpriv, so it needs
# root (skipped otherwise).  A stub owns the name and answers every call it receives with
# org.medverse.Test.Reached; a call the policy refuses gets AccessDenied from the bus.
#   check-dbus-policy.sh POLICY STUB
set -eu
policy=$1
stub=$2
if [ "$(id -u)" -ne 0 ]; then
	echo "needs root to run callers as other users" >&2
	exit 77
fi
for tool in dbus-daemon dbus-send setpriv; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "$tool not installed" >&2
		exit 77
	}
done
for name in daemon:passwd adm:group users:group nobody:passwd; do
	getent "${name#*:}" "${name%:*}" >/dev/null || {
		echo "no ${name%:*} account to map onto" >&2
		exit 77
	}
done
daemon_uid=$(id -u daemon)
daemon_gid=$(id -g daemon)
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
adm_gid=$(getent group adm | cut -d: -f3)
users_gid=$(getent group users | cut -d: -f3)

tmp=$(mktemp -d)
bus_pid=
stub_pid=
cleanup() {
	[ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null
	[ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"
sed -e 's/user="medverse"/user="daemon"/' -e 's/group="medverse-admin"/group="adm"/' \
	-e 's/group="medverse-gateway"/group="users"/' "$policy" >"$tmp/policy.conf"
if grep -q '\(user\|group\)="medverse' "$tmp/policy.conf"; then
	echo "a user or group of $policy is not mapped:" >&2
	grep '\(user\|group\)="medverse' "$tmp/policy.conf" >&2
	exit 1
fi
# system.conf's default policy, verbatim in what matters: no one owns or calls anything
cat >"$tmp/bus.conf" <<EOT
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <include>$tmp/policy.conf</include>
</busconfig>
EOT
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile --print-address=1 \
	>"$tmp/address" 2>"$tmp/bus.log" &
bus_pid=$!
for _ in $(seq 50); do
	[ -s "$tmp/address" ] && break
	sleep 0.1
done
if [ ! -s "$tmp/address" ]; then
	echo "dbus-daemon did not start:" >&2
	cat "$tmp/bus.log" >&2
	exit 1
fi
DBUS_SYSTEM_BUS_ADDRESS=$(head -n 1 "$tmp/address")
export DBUS_SYSTEM_BUS_ADDRESS
# a user or group the bus could not resolve is dropped from the policy with a warning
if grep -i 'unknown\|warning' "$tmp/bus.log" >&2; then
	echo "dbus-daemon did not take the policy as written" >&2
	exit 1
fi

fail=0
as() { # as WHO COMMAND...: run COMMAND as one of the mapped identities
	who=$1
	shift
	case $who in
	root) "$@" ;;
	medverse) setpriv --reuid="$daemon_uid" --regid="$daemon_gid" --clear-groups "$@" ;;
	admin) setpriv --reuid="$nobody_uid" --regid="$nobody_gid" --groups="$adm_gid" "$@" ;;
	gateway) setpriv --reuid="$nobody_uid" --regid="$nobody_gid" --groups="$users_gid" "$@" ;;
	stranger) setpriv --reuid="$nobody_uid" --regid="$nobody_gid" --clear-groups "$@" ;;
	esac
}

# owning the name: every identity but root and medverse is refused
for who in stranger admin gateway; do
	if as "$who" timeout 10 "$stub" --probe >"$tmp/own" 2>&1; then
		echo "FAIL: $who may own org.medverse.Health1" >&2
		fail=1
	elif ! grep -q '^refused:.*AccessDenied\|^refused:.*not allowed' "$tmp/own"; then
		echo "FAIL: $who: the stub failed otherwise: $(cat "$tmp/own")" >&2
		fail=1
	fi
done
as medverse "$stub" >"$tmp/stub.log" 2>&1 &
stub_pid=$!
for _ in $(seq 50); do
	grep -q . "$tmp/stub.log" && break
	sleep 0.1
done
if [ "$(cat "$tmp/stub.log")" != owner ]; then
	echo "medverse could not own org.medverse.Health1: $(cat "$tmp/stub.log")" >&2
	exit 1
fi

check() { # check WHO INTERFACE.METHOD reached|denied
	got=$(as "$1" dbus-send --system --print-reply --reply-timeout=5000 \
		--dest=org.medverse.Health1 /org/medverse/Health1 "$2" 2>&1 || true)
	case $got in
	*org.medverse.Test.Reached*) result=reached ;;
	*AccessDenied*) result=denied ;;
	*) result="other: $got" ;;
	esac
	if [ "$result" != "$3" ]; then
		echo "FAIL: $1 calling $2: $result, expected $3" >&2
		fail=1
	else
		echo "ok: $1 $2 $3"
	fi
}
admin=org.medverse.Health1.Admin.ListTenants
call=org.medverse.Health1.Call
enable=org.medverse.Health1.EnablePlugin
patient=org.medverse.Health1.Patient.GetPlan
introspect=org.freedesktop.DBus.Introspectable.Introspect
for who in root medverse admin; do
	for m in $admin $call $enable $patient $introspect; do check "$who" "$m" reached; done
done
check gateway $patient reached
check gateway $introspect reached
for m in $admin $call $enable; do check gateway "$m" denied; done
for m in $admin $call $enable $patient $introspect; do check stranger "$m" denied; done
exit $fail
