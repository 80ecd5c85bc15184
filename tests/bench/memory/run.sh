#!/bin/sh
# Memory after a peak: medversed (--dev, embedded PostgreSQL, the symptom parser) is sent
# eight ~885 KB English texts at once on POST /v1/nlp/symptoms; its resident set (VmRSS) is
# read before, at the peak (VmHWM) and after it has been idle for a while.  Prints one line of
# figures; tests/bench/RESULTS.md keeps them.
#
#   tests/bench/memory/run.sh    (build dir: $BENCH_BUILD_DIR, default build; idle wait:
#                                 $BENCH_IDLE_S, default 10)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build}
idle=${BENCH_IDLE_S:-10}
tmp=$(mktemp -d /tmp/mv-bench-memory-XXXXXX)
chmod 755 "$tmp"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ninja -C "$build" daemon/medversed plugins/symptom-parser/symptom-parser.so >/dev/null
mkdir "$tmp/plugins"
cp "$build/plugins/symptom-parser/symptom-parser.so" "$tmp/plugins/"
cat >"$tmp/medversed.conf" <<CONF
[http]
max-body-bytes=2097152
[plugins]
call-timeout-ms=300000
[plugin.symptom-parser]
data-dir=$build/plugins/symptom-parser/data
CONF
"$build/daemon/medversed" --dev --data-dir "$tmp/data" --http 127.0.0.1:0 --bus none \
	--plugin-dir "$tmp/plugins" --config "$tmp/medversed.conf" >"$tmp/medversed.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	[ -s "$tmp/data/http.url" ] && break
	sleep 0.1
done
url=$(cat "$tmp/data/http.url")
key=$(cat "$tmp/data/operator.key")

# ~885 KB of clinical English from the evaluation set, as one JSON body
python3 - "$root/tests/data/symptoms-en.jsonl" "$tmp/body.json" <<'PY'
import json, sys
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
out, size, i = [], 0, 0
while size < 885 * 1024:
    t = texts[i % len(texts)]
    out.append(t)
    size += len(t.encode()) + 1
    i += 1
json.dump({"text": "\n".join(out)}, open(sys.argv[2], "w"))
PY

rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$pid/status"; }
post() {
	curl -sS -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $key" \
		-H 'Content-Type: application/json' --data-binary "@$1" "$url/v1/nlp/symptoms"
}

echo '{"text":"headache for two days"}' >"$tmp/small.json"
post "$tmp/small.json" >/dev/null
sleep 2
before=$(rss VmRSS)
for i in 1 2 3 4 5 6 7 8; do
	post "$tmp/body.json" >"$tmp/status.$i" &
done
wait_all() { for i in 1 2 3 4 5 6 7 8; do while [ ! -s "$tmp/status.$i" ]; do sleep 0.1; done; done; }
wait_all
statuses=$(cat "$tmp"/status.* | sort | uniq -c | tr -s ' \n' ' ')
just_after=$(rss VmRSS)
peak=$(rss VmHWM)
sleep "$idle"
after_idle=$(rss VmRSS)
trims=$(grep -c 'returned .* to the system' "$tmp/medversed.log" || true)
echo "memory: before ${before} MB | peak ${peak} MB | right after ${just_after} MB |" \
	"after ${idle} s idle ${after_idle} MB | statuses:${statuses}| trims logged: ${trims}"
