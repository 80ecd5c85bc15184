#!/usr/bin/env python3
"""Plans generated per second through HTTP (POST /v1/patients/{id}/plan: one audited snapshot
read of the record, the context built from it, the plan-generator plugin's Generate, the kind's
check, the plan written sealed and versioned) against the named peer in the same run on the same
daemon and the same patients: POST /v1/patients/{id}/risk (a snapshot read of the record, the
risk scorer's ListModels/Describe/Score calls, the scored risk assessments written sealed).
For scale, the plugins alone through HTTP with a fixed context / fixed inputs:
POST /v1/plugins/plan-generator/Generate against POST /v1/risk/models/{id}/score.
One keep-alive connection, one request at a time, the same client code for every route.
The records are built before any timing.  Every call is checked (status, and the answer holds
what the route promises), so a figure is never the rate of failures.

    bench.py URL OPERATOR_TOKEN [patients] [plugin calls]
    (BENCH_DEBUG=1 prints each risk entry's status: why a model was not scored)
"""
import http.client
import json
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

url = urllib.parse.urlparse(sys.argv[1])
operator = sys.argv[2]
n_patients = int(sys.argv[3]) if len(sys.argv) > 3 else 40
n_calls = int(sys.argv[4]) if len(sys.argv) > 4 else 500
import os
debug = os.environ.get("BENCH_DEBUG")
received = [0]  # bytes of answers, for the size of each route's answer
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
    received[0] += len(text)
    if r.status not in expect:
        sys.exit(f"{method} {path}: {r.status} {text[:400]!r}")
    return json.loads(text) if text else None


tenant = call("POST", "/v1/admin/tenants", operator, {"name": "bench clinic"})["id"]
clinician = call("POST", f"/v1/admin/tenants/{tenant}/keys", operator,
                 {"role": "clinician"})["token"]
now = datetime.now(timezone.utc)


def ago(days, hours=0):
    return (now - timedelta(days=days, hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def obs(pid, code, value, unit, days):
    call("POST", f"/v1/patients/{pid}/observations", clinician,
         {"code": code, "value": value, "unit": unit, "effective_at": ago(days)})


def patient(i):
    """A realistic record, varied by i: men and women 45-64 (every model's age range), three BP
    panels, lipids, fasting glucose, BMI, weight, height, waist, smoking status; type 2 diabetes
    for one in five (refuted for the others), a father's diabetes (refuted for three in four),
    hypertension and amlodipine for half (amlodipine not-taken for the others), and a note with
    parsed findings for every third (chest pain present in one of those three: a suppressed
    plan, as in life)."""
    sex = "male" if i % 2 == 0 else "female"
    pid = call("POST", "/v1/patients", clinician,
               {"mrn": f"PLAN-{i}", "name": {"given": "b"},
                "birth_date": f"{1962 + i % 19}-0{1 + i % 9}-15", "sex": sex,
                "language": "zh-CN" if i % 3 == 0 else "en",
                "preferences": {"time_zone": "Asia/Shanghai"}})["id"]
    for k, days in enumerate((2, 30, 90)):
        call("POST", f"/v1/patients/{pid}/observations", clinician,
             {"code": "85354-9", "effective_at": ago(days),
              "components": [{"code": "8480-6", "value": 128 + (i * 7 + k * 5) % 30,
                              "unit": "mm[Hg]"},
                             {"code": "8462-4", "value": 78 + (i * 3 + k) % 16,
                              "unit": "mm[Hg]"}]})
    obs(pid, "2093-3", 170 + i * 11 % 90, "mg/dL", 20)
    obs(pid, "2085-9", 38 + i * 5 % 30, "mg/dL", 20)
    obs(pid, "2571-8", 110 + i * 13 % 120, "mg/dL", 20)
    obs(pid, "1558-6", 88 + i * 7 % 40, "mg/dL", 20)
    obs(pid, "39156-5", 22 + i * 3 % 12, "kg/m2", 20)
    call("POST", f"/v1/patients/{pid}/observations", clinician,
         {"code": "72166-2", "effective_at": ago(20),
          "value_code": ("LA18978-9", "LA15920-4", "LA18976-3")[i % 3]})
    obs(pid, "29463-7", 58 + i * 7 % 40, "kg", 20)
    obs(pid, "8302-2", 155 + i * 3 % 30, "cm", 20)
    obs(pid, "8280-0", 76 + i * 5 % 30, "cm", 20)
    conditions = [{"code": {"system": "icd-10", "code": "E11.9"}} if i % 5 == 1 else
                  {"code": {"system": "icd-10", "code": "E11"},
                   "verification_status": "refuted"},
                  {"code": {"system": "icd-10", "code": "E11"},
                   "family_member": {"relationship": "father"}}
                  | ({} if i % 4 == 0 else {"verification_status": "refuted"})]
    if i % 2 == 0:
        conditions.append({"code": {"system": "icd-10", "code": "I10"}})
    for c in conditions:
        call("POST", f"/v1/patients/{pid}/conditions", clinician, c)
    call("POST", f"/v1/patients/{pid}/medications", clinician,
         {"name": "amlodipine 5mg", "code": {"system": "atc", "code": "C08CA01"},
          "dose": {"value": 5, "unit": "mg"}, "frequency": {"times": 1, "period": 1,
                                                              "period_unit": "d"},
          "status": "active" if i % 2 == 0 else "not-taken"})
    if i % 3 == 0:
        polarity = "present" if i % 9 == 0 else "absent"
        call("POST", f"/v1/patients/{pid}/notes", clinician,
             {"text": "chest pain today, headache", "written_at": ago(1),
              "findings": {"parser": {"name": "symptom-parser", "version": "bench"},
                           "items": [{"code": "HP:0100749", "start": 0, "end": 10,
                                      "text": "chest pain", "polarity": polarity,
                                      "experiencer": "patient", "temporality": "current"},
                                     {"code": "HP:0002315", "start": 18, "end": 26,
                                      "text": "headache", "polarity": "present",
                                      "experiencer": "patient",
                                      "temporality": "current"}]}})
    return pid


t0 = time.perf_counter()
patients = [patient(i) for i in range(n_patients)]
print(f"  records: {n_patients} patients built in {time.perf_counter() - t0:.1f} s "
      "(19-20 writes each, not timed below)")

counts = {"active": 0, "suppressed": 0, "tasks": 0, "scored": 0, "models": 0}


def plans():  # the store's version of the one plan record: the round (a new version each)
    for pid in patients:
        p = call("POST", f"/v1/patients/{pid}/plan", clinician, {}, expect=(201,))
        if p["status"] not in ("active", "suppressed") or p["version"] != rnd:
            sys.exit(f"plan: {json.dumps(p)[:400]}")
        counts[p["status"]] += 1
        counts["tasks"] += len(p["tasks"])


# what the record cannot hold (no source in the model files), as a clinician would supply it
supplied = {"african_american": False, "mexican_american": False, "northern_china": True,
            "urban": True, "family_history_ascvd": False}


def risks():
    for pid in patients:
        r = call("POST", f"/v1/patients/{pid}/risk", clinician, {"inputs": supplied})
        counts["models"] += len(r["models"])
        counts["scored"] += sum(1 for e in r["models"] if e["status"] == "scored")
        for e in r["models"] if debug else ():  # BENCH_DEBUG=1: why a model was not scored
            print("   ", e["model"], e["status"],
                  [m["input"] + ":" + m["reason"] for m in e.get("missing", [])],
                  e.get("error", {}).get("message", ""))


today = now.astimezone(timezone(timedelta(hours=8))).date()


def day(n):
    return (today - timedelta(days=n)).isoformat()


context = {  # the plugin's own test patient sedentary-55-diabetes-risk, dated today
    "today": today.isoformat(), "language": "en", "age_years": 55, "sex": "male",
    "mobility": "full", "minutes_per_day": 30, "smoking": "never",
    "conditions": [{"code": "ICD10:I10", "status": "active"}],
    "measurements": [
        {"code": "LOINC:29463-7", "value": 95, "unit": "kg", "date": day(10)},
        {"code": "LOINC:8302-2", "value": 175, "unit": "cm", "date": day(10)},
        {"code": "LOINC:4548-4", "value": 6.0, "unit": "%", "date": day(10)},
        {"code": "LOINC:8480-6", "value": 144, "unit": "mm[Hg]", "date": day(2)},
        {"code": "LOINC:8462-4", "value": 88, "unit": "mm[Hg]", "date": day(2)}],
    "risks": [{"model": "aric-diabetes-2005", "probability": 0.31, "category": "high",
               "horizon_years": 9}],
    "checkins": [{"metric": "steps", "value": 2400, "date": day(2)},
                 {"metric": "active_minutes", "value": 15, "date": day(1)}],
}
inputs = {"age": 55, "sex": "male", "total_cholesterol": 213, "hdl_cholesterol": 50,
          "systolic_bp": 120, "on_bp_treatment": False, "smoker": "never", "diabetes": False}


def generate():
    for _ in range(n_calls):
        a = call("POST", "/v1/plugins/plan-generator/Generate", clinician, {"context": context})
        if a["plan"]["status"] != "active" or not a["plan"]["tasks"]:
            sys.exit(f"Generate: {json.dumps(a)[:400]}")


def score():
    for _ in range(n_calls):
        a = call("POST", "/v1/risk/models/pce-2013-white-men/score", clinician,
                 {"inputs": inputs})
        if not 0.05 < a["result"]["probability"] < 0.06:
            sys.exit(f"score: {json.dumps(a)[:400]}")


figures = {}
# two rounds, peer first in each: the second round's plans are version 2 of each plan and the
# risk scores new risk assessments, and a plan's snapshot holds the risk assessments written
# before it (as in use); the plugin calls likewise twice, in turn
for rnd in (1, 2):
    for name, fn, n in (("risk from record (peer)", risks, n_patients),
                        ("plan from record", plans, n_patients),
                        ("score, plugin (peer)", score, n_calls),
                        ("Generate, plugin", generate, n_calls)):
        received[0] = 0
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        figures[name, rnd] = n / elapsed
        print(f"  {rnd} {name:26s} {n:5d} calls in {elapsed:7.2f} s: "
              f"{figures[name, rnd]:8.1f} /s ({1000 * elapsed / n:6.1f} ms a call, "
              f"{received[0] / n / 1000:5.1f} kB an answer)")
    print(f"  {rnd} plans / risk from record: "
          f"{figures['plan from record', rnd] / figures['risk from record (peer)', rnd]:.2f}; "
          f"Generate / score: "
          f"{figures['Generate, plugin', rnd] / figures['score, plugin (peer)', rnd]:.2f}")
print(f"  plans: {counts['active']} active, {counts['suppressed']} suppressed, "
      f"{counts['tasks']} tasks; risk: {counts['scored']} of {counts['models']} model entries "
      f"scored and stored ({n_patients} patients x 2 rounds, one connection)")
