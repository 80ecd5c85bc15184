#!/usr/bin/env python3
"""Check-ins per second through HTTP (POST /v1/me/checkins: validation, the Observation sealed
through the clinical store, the sealed check-in row, the ledger award over the patient's
check-ins, the audit entries) against the named peer in the same run: the same Observations
written by a clinician through POST /v1/patients/{id}/observations (the clinical record alone).
One keep-alive connection, one request at a time, the same client code for both, so the ratio
is what engagement adds to an Observation write.

    bench.py URL OPERATOR_TOKEN [patients] [checkins-per-patient]
"""
import http.client
import json
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

url = urllib.parse.urlparse(sys.argv[1])
operator = sys.argv[2]
n_patients = int(sys.argv[3]) if len(sys.argv) > 3 else 20
per_patient = int(sys.argv[4]) if len(sys.argv) > 4 else 25
conn = http.client.HTTPConnection(url.hostname, url.port)


def call(method, path, token, body=None, expect=(200, 201)):
    headers = {"Authorization": "Bearer " + token} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    text = r.read()
    if r.status not in expect:
        sys.exit(f"{method} {path}: {r.status} {text[:300]!r}")
    return json.loads(text) if text else None


tenant = call("POST", "/v1/admin/tenants", operator, {"name": "bench clinic"})["id"]
clinician = call("POST", f"/v1/admin/tenants/{tenant}/keys", operator,
                 {"role": "clinician"})["token"]


def patient(i):
    pid = call("POST", "/v1/patients", clinician,
               {"mrn": f"BENCH-{i}", "name": {"given": "b"},
                "preferences": {"time_zone": "Asia/Shanghai"}})["id"]
    code = call("POST", f"/v1/patients/{pid}/invites", clinician, {})["code"]
    token = call("POST", "/v1/invites/redeem", "", {"code": code})["token"]
    return pid, token


patients = [patient(i) for i in range(n_patients)]
now = datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=8)))
# spread over the last 6 days, a few a day per patient, as real use is
ats = [(now - timedelta(minutes=5 + j * 6 * 24 * 60 // per_patient)).isoformat(timespec="seconds")
       for j in range(per_patient)]


def checkins():
    for k, (pid, token) in enumerate(patients):
        for j, at in enumerate(ats):
            call("POST", "/v1/me/checkins", token,
                 {"id": f"c-{k}-{j}", "metric": "weight", "value": 70 + j % 5 / 10,
                  "unit": "kg", "at": at})


def observations():
    for pid, _ in patients:
        for j, at in enumerate(ats):
            call("POST", f"/v1/patients/{pid}/observations", clinician,
                 {"code": {"system": "http://loinc.org", "code": "29463-7"},
                  "value": 70 + j % 5 / 10, "unit": "kg", "effective_at": at,
                  "source": "patient"})


n = n_patients * per_patient
figures = {}
for name, fn in (("observations (peer)", observations), ("check-ins", checkins)):
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    figures[name] = n / elapsed
    print(f"  {name:22s} {n:6d} writes in {elapsed:7.2f} s: {figures[name]:8.1f} /s")
ratio = figures["check-ins"] / figures["observations (peer)"]
print(f"  check-ins / observations: {ratio:.2f} "
      f"({n_patients} patients x {per_patient} check-ins, one connection)")
