#!/usr/bin/env python3
"""The paging benchmark's measuring half (run it through run.sh, which starts the daemon).

Fills a clinic with MV_N patients, walks GET /v1/patients?limit=MV_LIMIT over HTTP following the
next links (a warm-up walk, then the measured one), and times every page; then sends the same
keyset SELECT of every page over psql, and the OFFSET walk over psql, timing each statement with
psql's \\timing (client-side round trip, like the HTTP figure).  Standard library only.
"""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid

URL = os.environ["MV_URL"]
TOKEN = os.environ["MV_TOKEN"]
CLINIC = str(uuid.UUID(os.environ["MV_CLINIC"]))
N = int(os.environ["MV_N"])
LIMIT = int(os.environ["MV_LIMIT"])
PG = os.environ["MV_PG"]
N_API = min(100, N)

# the daemon's page statement (daemon/patients/mv-patient-list.c), values as literals
SELECT = (
    "SELECT patient_id, version, "
    "to_char((created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char((updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
    "FROM patients WHERE clinic_id = '{clinic}' AND deleted_at IS NULL{after} "
    "ORDER BY created_at, patient_id LIMIT {limit}{offset};"
)


def psql(script):
    out = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", PG],
        input=script, capture_output=True, text=True, check=True)
    return out.stdout


def fill():
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    for i in range(N_API):
        body = json.dumps({"mrn": "B-%06d" % i, "name": {"given": "p%d" % i}})
        conn.request("POST", "/v1/patients", body, {
            "Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        assert r.status == 201, r.status
    conn.close()
    # rows shaped like the store's: random bytes where the wrapped key, the blind index and
    # the sealed profile are; created over two years, last changed some time after
    t0 = time.time()
    psql(f"""
INSERT INTO patients (clinic_id, patient_id, wrapped_dek, mrn_index, version, created_at,
                      updated_at)
SELECT '{CLINIC}', gen_random_uuid(),
       substring(decode(md5(random()::text) || md5(random()::text) || md5(random()::text)
                        || md5(random()::text) || md5(random()::text), 'hex') FROM 1 FOR 73),
       encode(sha256(convert_to('bench-mrn-' || g, 'UTF8')), 'hex'),
       1 + g % 4, c, c + random() * (now() - c)
FROM (SELECT g, now() - random() * interval '730 days' AS c
      FROM generate_series(1, {N - N_API}) g) s;
INSERT INTO patient_records (clinic_id, patient_id, kind, version, blob)
SELECT p.clinic_id, p.patient_id, 'profile', p.version,
       decode(repeat(md5(random()::text), 19), 'hex')
FROM patients p WHERE p.clinic_id = '{CLINIC}'
AND NOT EXISTS (SELECT 1 FROM patient_records r WHERE r.clinic_id = p.clinic_id
                AND r.patient_id = p.patient_id);
VACUUM ANALYZE patients;
VACUUM ANALYZE patient_records;
""")
    return time.time() - t0


def walk_http(query=""):
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    path = "/v1/patients?limit=%d%s" % (LIMIT, query)
    times, bounds, seen = [], [], set()
    while path is not None:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": "Bearer " + TOKEN})
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, (r.status, body[:300])
        page = json.loads(body)
        for item in page["patients"]:
            assert item["id"] not in seen, "seen twice"
            seen.add(item["id"])
        if page["patients"]:
            last = page["patients"][-1]
            bounds.append((last["created_at"], last["id"]))
        path = page["next"]
    conn.close()
    if not query:
        assert len(seen) == N, (len(seen), N)
    return times, bounds, len(seen)


def polls(walks):
    """A poller's walks: updated_since one day ago, which few patients match."""
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
    times, found = [], 0
    for _ in range(walks):
        t, _, found = walk_http("&updated_since=" + urllib.parse.quote(since, safe=""))
        times += t
    return times, found


def whoami(n):
    """The floor of an authenticated request over HTTP: GET /v1/auth/whoami, no database work."""
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", "/v1/auth/whoami", headers={"Authorization": "Bearer " + TOKEN})
        r = conn.getresponse()
        r.read()
        times.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, r.status
    conn.close()
    return times


def timed(script):
    out = psql("\\o /dev/null\n\\timing on\n" + script)
    return [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]


def walk_psql_keyset(bounds):
    lines = [SELECT.format(clinic=CLINIC, after="", limit=LIMIT + 1, offset="")]
    for created, pid in bounds[:-1]:
        after = " AND (created_at, patient_id) > ('%s'::timestamptz, '%s'::uuid)" % (
            created, uuid.UUID(pid))
        lines.append(SELECT.format(clinic=CLINIC, after=after, limit=LIMIT + 1, offset=""))
    return timed("\n".join(lines) + "\n")


def walk_psql_offset(pages):
    lines = [SELECT.format(clinic=CLINIC, after="", limit=LIMIT + 1,
                           offset=" OFFSET %d" % (k * LIMIT)) for k in range(pages)]
    return timed("\n".join(lines) + "\n")


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def row(name, t):
    print("| %s | %d | %.2f | %.2f | %.2f | %.2f |" % (
        name, len(t), pct(t, 50), pct(t, 99), max(t), statistics.mean(t)))
    return pct(t, 50), pct(t, 99)


def main():
    setup = fill()
    print("patients: %d (%d through the API, the rest by SQL in %.1f s); pages of %d" % (
        N, N_API, setup, LIMIT))
    walk_http()  # warm-up: caches, the daemon's connections
    t_http, bounds, _ = walk_http()
    t_keyset = walk_psql_keyset(bounds)
    t_offset = walk_psql_offset(len(t_http))
    t_whoami = whoami(len(t_http))
    t_poll, n_poll = polls(200)
    print()
    print("| walk (ms per page) | pages | p50 | p99 | max | mean |")
    print("|---|---|---|---|---|---|")
    h50, h99 = row("GET /v1/patients over HTTP (keyset, cursor, audit entry)", t_http)
    k50, k99 = row("peer: the same keyset SELECT over psql", t_keyset)
    o50, o99 = row("peer: the same walk with OFFSET over psql", t_offset)
    row("reference: GET /v1/auth/whoami over HTTP (no database work)", t_whoami)
    row("poll: GET /v1/patients?updated_since=<a day ago> (%d match), 200 walks" % n_poll,
        t_poll)
    tail = t_offset[int(len(t_offset) * 0.9):]
    print()
    print("ratio HTTP / psql keyset: p50 %.1fx, p99 %.1fx" % (h50 / k50, h99 / k99))
    print("ratio psql OFFSET / HTTP keyset: p50 %.1fx, p99 %.1fx; last 10%% of OFFSET pages "
          "p50 %.2f ms (%.1fx the HTTP p50)" % (o50 / h50, o99 / h99, pct(tail, 50),
                                                pct(tail, 50) / h50))
    print("goal p99 under 50 ms per page: %s" % ("met" if h99 < 50 else "NOT met"))
    # where a poll's first page spends its time (the plan the daemon's statement gets)
    plan = psql("EXPLAIN (ANALYZE, BUFFERS) " + SELECT.format(
        clinic=CLINIC, limit=LIMIT + 1, offset="",
        after=" AND updated_at >= now() - interval '1 day'"))
    print("\nplan of a poll's first page:\n" + plan)


if __name__ == "__main__":
    sys.exit(main())
