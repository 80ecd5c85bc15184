#!/usr/bin/env python3
"""Check the blind evaluation sets (tests/data/blind/*.jsonl) and print their counts.

Usage:
  check_blind.py [--repo DIR] [FILE.jsonl ...]   check the files (default: every *.jsonl
                                                   next to this script), print counts
  check_blind.py --self-test [--repo DIR]          plant defects in a good record and
                                                   check that each one is reported

The format is the one in README.md next to this script (issue 11, shared formats
section 4).  Standard library only.  Exit status 0 when every line is valid, 1 otherwise;
an empty set is an error, since an evaluation over nothing would pass every threshold.
"""

import argparse
import collections
import glob
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HPO_TSV = os.path.join('plugins', 'symptom-parser', 'vendor', 'hpo-zh', 'hp-zh.babelon.tsv')

SPLITS = {'dev', 'heldout'}
SOURCES = {'case-report', 'discharge-summary', 'clinic-note', 'forum', 'intake',
           'pediatric-consult', 'self-report'}
LANGS = {'en', 'zh'}
KINDS = {'symptom', 'condition', 'allergy', 'medication', 'measurement', 'score'}
POLARITY = {'present', 'absent', 'possible'}
EXPERIENCER = {'patient', 'family'}
TEMPORALITY = {'current', 'historical'}
STATUS = {'active', 'resolved', 'unknown'}
SEVERITY = {'mild', 'moderate', 'severe'}
LATERALITY = {'left', 'right', 'bilateral'}
RELATION = {'mother', 'father', 'parent', 'brother', 'sister', 'sibling', 'son', 'daughter',
            'child', 'grandmother', 'grandfather', 'grandparent', 'aunt', 'uncle', 'cousin',
            'spouse', 'relative'}
FREQUENCY = {'QD', 'BID', 'TID', 'QID', 'QHS', 'QAM', 'QOD', 'QW', 'Q4H', 'Q6H', 'Q8H',
             'Q12H', 'PRN'}
ROUTE = {'oral', 'iv', 'im', 'sc', 'inhaled', 'topical', 'sublingual', 'rectal'}
DOSE_UNIT = {'mg', 'g', 'ug', 'mL', '[iU]', '{puff}', '{tbl}', 'meq'}
INTERPRETATION = {'normal', 'high', 'low'}
ORIGINAL_UNIT = {'[degF]', '[lb_av]', '[in_i]', 'mg/dL', '{jin}'}
# Sites are plain English body-site words so the sets of both languages compare.
SITES = {'head', 'face', 'eye', 'ear', 'nose', 'mouth', 'throat', 'neck', 'chest', 'lung',
         'heart', 'breast', 'abdomen', 'back', 'pelvis', 'shoulder', 'arm', 'elbow', 'wrist',
         'hand', 'finger', 'hip', 'leg', 'knee', 'ankle', 'foot', 'toe', 'skin', 'joint'}

# The canonical unit of each vital sign / score the README gives a range or unit for.
CANONICAL_UNIT = {
    'LOINC:8310-5': 'Cel', 'LOINC:8480-6': 'mm[Hg]', 'LOINC:8462-4': 'mm[Hg]',
    'LOINC:8867-4': '/min', 'LOINC:9279-1': '/min', 'LOINC:59408-5': '%', 'LOINC:2708-6': '%',
    'LOINC:29463-7': 'kg', 'LOINC:3141-9': 'kg', 'LOINC:8302-2': 'cm', 'LOINC:8306-3': 'cm',
    'LOINC:39156-5': 'kg/m2', 'LOINC:4548-4': '%', 'LOINC:17856-6': '%',
    'LOINC:2345-7': 'mmol/L', 'LOINC:2339-0': 'mmol/L', 'LOINC:14749-6': 'mmol/L',
    'LOINC:15074-8': 'mmol/L', 'LOINC:41653-7': 'mmol/L', 'LOINC:1558-6': 'mmol/L',
    'LOINC:14771-0': 'mmol/L', 'LOINC:72514-3': '{score}', 'LOINC:38208-5': '{score}',
    'LOINC:44261-6': '{score}', 'LOINC:70274-6': '{score}',
}
FASTING_GLUCOSE = {'LOINC:1558-6', 'LOINC:14771-0'}

CODE_RE = {
    'HP': re.compile(r'^HP:\d{7}$'),
    'DOID': re.compile(r'^DOID:\d+$'),
    'SYMP': re.compile(r'^SYMP:\d{7}$'),
    'ICD10CM': re.compile(r'^ICD10CM:[A-Z]\d{2}(\.\w+)?$'),
    'ATC': re.compile(r'^ATC:[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$'),
    'LOINC': re.compile(r'^LOINC:\d{1,7}-\d$'),
    'MV': re.compile(r'^MV:\d{4}$'),
}
KIND_PREFIXES = {
    'symptom': {'HP', 'DOID', 'SYMP', 'ICD10CM', 'MV'},
    'condition': {'HP', 'DOID', 'SYMP', 'ICD10CM', 'MV'},
    'allergy': {'ATC', 'MV'},
    'medication': {'ATC', 'MV'},
    'measurement': {'LOINC', 'MV'},
    'score': {'LOINC', 'MV'},
}
COMMON_KEYS = {'kind', 'text', 'occurrence', 'codes', 'label', 'polarity', 'experiencer',
               'temporality', 'relation', 'onset_age'}
SYMPTOM_KEYS = {'duration_hours', 'severity', 'laterality', 'site'}
KIND_KEYS = {
    'symptom': SYMPTOM_KEYS,
    'condition': SYMPTOM_KEYS | {'status'},
    'allergy': {'reaction'},
    'medication': {'dose_value', 'dose_unit', 'frequency', 'route'},
    'measurement': {'value', 'unit', 'original_value', 'original_unit', 'interpretation'},
    'score': {'value', 'unit', 'original_value', 'original_unit', 'interpretation'},
}
RECORD_KEYS = {'id', 'split', 'source', 'lang', 'text', 'findings'}


def load_hpo(repo):
    path = os.path.join(repo, HPO_TSV)
    ids = set()
    with open(path, encoding='utf-8') as fh:
        for line in fh:
            cols = line.rstrip('\n').split('\t')
            if len(cols) > 2 and cols[2].startswith('HP:'):
                ids.add(cols[2])
    return ids


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def occurrences(text, sub):
    """Start offsets (code points) of every occurrence of sub, overlapping ones included."""
    out = []
    pos = text.find(sub)
    while pos >= 0:
        out.append(pos)
        pos = text.find(sub, pos + 1)
    return out


def expected_interpretation(code, value):
    """The README's adult reference range applied to value; None when it gives none."""
    def band(lo, hi):
        return 'low' if value < lo else ('high' if value > hi else 'normal')
    if code == 'LOINC:8310-5':
        return 'low' if value < 36.1 else ('high' if value >= 37.3 else 'normal')
    if code == 'LOINC:8480-6':
        return 'low' if value < 90 else ('high' if value >= 130 else 'normal')
    if code == 'LOINC:8462-4':
        return 'low' if value < 60 else ('high' if value >= 80 else 'normal')
    if code == 'LOINC:8867-4':
        return band(60, 100)
    if code == 'LOINC:9279-1':
        return band(12, 20)
    if code in ('LOINC:59408-5', 'LOINC:2708-6'):
        return 'low' if value < 95 else 'normal'
    if code == 'LOINC:39156-5':
        return 'low' if value < 18.5 else ('high' if value >= 25 else 'normal')
    if code in FASTING_GLUCOSE:
        return band(3.9, 5.5)
    if code in ('LOINC:2345-7', 'LOINC:2339-0', 'LOINC:14749-6', 'LOINC:15074-8', 'LOINC:41653-7'):
        return band(3.9, 7.7)
    if code in ('LOINC:4548-4', 'LOINC:17856-6'):
        return 'high' if value >= 5.7 else 'normal'
    return None


def expected_value(code, ov, ou):
    """The canonical value of an original one, rounded as the README says; None if unknown."""
    if ou == '[degF]':
        return round((ov - 32) * 5 / 9, 1)
    if ou == '[lb_av]':
        return round(ov * 0.45359237, 1)
    if ou == '[in_i]':
        return round(ov * 2.54, 1)
    if ou == '{jin}':
        return round(ov * 0.5, 1)
    if ou == 'mg/dL' and CANONICAL_UNIT.get(code) == 'mmol/L':
        return round(ov / 18.016, 2)
    return None


def check_value_attrs(f, lang, err):
    primary = f['codes'][0] if f.get('codes') else None
    if not is_number(f.get('value')):
        err('value must be a number')
        return
    if not isinstance(f.get('unit'), str) or not f['unit']:
        err('unit must be a non-empty UCUM string')
        return
    canon = CANONICAL_UNIT.get(primary)
    if canon and f['unit'] != canon:
        err('unit %r is not the canonical %r for %s' % (f['unit'], canon, primary))
    if ('original_value' in f) != ('original_unit' in f):
        err('original_value and original_unit go together')
    elif 'original_unit' in f:
        if f['original_unit'] not in ORIGINAL_UNIT:
            err('original_unit %r not in %s' % (f['original_unit'], sorted(ORIGINAL_UNIT)))
        elif not is_number(f['original_value']):
            err('original_value must be a number')
        else:
            want = expected_value(primary, f['original_value'], f['original_unit'])
            if want is not None and abs(want - f['value']) > 1e-9:
                err('value %r is not %r %s converted (%r)' % (f['value'], f['original_value'],
                                                             f['original_unit'], want))
    if 'interpretation' in f and f['interpretation'] not in INTERPRETATION:
        err('interpretation %r not in %s' % (f['interpretation'], sorted(INTERPRETATION)))
    # the Chinese sets use Chinese cut-offs (WS/T 428 BMI, fasting glucose up to 6.0) and
    # interpret no child's value but temperature: README.md, "Chinese sets"
    want = expected_interpretation(primary, f['value']) if lang == 'en' else None
    if want is not None and f.get('interpretation') != want:
        err('interpretation %r, the README range gives %r' % (f.get('interpretation'), want))
    if lang == 'en' and want is None and 'interpretation' in f and primary in CANONICAL_UNIT:
        err('interpretation given where the README states no range (%s)' % primary)


def check_codes(f, hpo, err):
    codes = f.get('codes')
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        err('codes must be a list of strings')
        return
    if not codes:
        if not isinstance(f.get('label'), str) or not f['label']:
            err('empty codes need a label')
        return
    if len(set(codes)) != len(codes):
        err('duplicate codes')
    for c in codes:
        prefix = c.split(':', 1)[0]
        rx = CODE_RE.get(prefix)
        if rx is None or not rx.match(c):
            err('code %r is malformed' % c)
        elif prefix not in KIND_PREFIXES[f['kind']]:
            err('code %r does not fit kind %s' % (c, f['kind']))
        elif prefix == 'HP' and c not in hpo:
            err('%s is not in %s' % (c, HPO_TSV))


def check_kind_attrs(f, hpo, lang, err):
    kind = f['kind']
    allowed = COMMON_KEYS | KIND_KEYS[kind]
    for key in f:
        if key not in allowed:
            err('key %r not allowed on a %s' % (key, kind))
    if 'duration_hours' in f and (not is_number(f['duration_hours']) or f['duration_hours'] <= 0):
        err('duration_hours must be a positive number')
    for key, values in (('severity', SEVERITY), ('laterality', LATERALITY), ('site', SITES),
                        ('frequency', FREQUENCY), ('route', ROUTE), ('dose_unit', DOSE_UNIT)):
        if key in f and f[key] not in values:
            err('%s %r not in %s' % (key, f[key], sorted(values)))
    if kind == 'condition':
        patient_claim = f.get('experiencer') == 'patient' and f.get('polarity') != 'absent'
        if 'status' in f and f['status'] not in STATUS:
            err('status %r not in %s' % (f['status'], sorted(STATUS)))
        if f.get('polarity') == 'absent' and 'status' in f:
            err('an absent condition carries no status')
        if patient_claim and 'status' not in f:
            err("a patient's present or possible condition needs a status")
    if kind == 'medication':
        if ('dose_value' in f) != ('dose_unit' in f):
            err('dose_value and dose_unit go together')
        if 'dose_value' in f and (not is_number(f['dose_value']) or f['dose_value'] <= 0):
            err('dose_value must be a positive number')
    if kind == 'allergy' and 'reaction' in f:
        r = f['reaction']
        if not isinstance(r, list) or not r or not all(isinstance(c, str) for c in r):
            err('reaction must be a non-empty list of codes')
        else:
            for c in r:
                prefix = c.split(':', 1)[0]
                if prefix not in ('HP', 'DOID', 'SYMP') or not CODE_RE[prefix].match(c):
                    err('reaction code %r is malformed' % c)
                elif prefix == 'HP' and c not in hpo:
                    err('reaction %s is not in %s' % (c, HPO_TSV))
    if kind in ('measurement', 'score'):
        check_value_attrs(f, lang, err)


def check_finding(f, text, hpo, lang, err):
    if not isinstance(f, dict):
        err('finding is not an object')
        return
    if f.get('kind') not in KINDS:
        err('kind %r not in %s' % (f.get('kind'), sorted(KINDS)))
        return
    sub = f.get('text')
    if not isinstance(sub, str) or not sub:
        err('finding text missing')
    else:
        starts = occurrences(text, sub)
        occ = f.get('occurrence')
        if not starts:
            err('%r does not occur in the text' % sub)
        elif occ is None and len(starts) > 1:
            err('%r occurs %d times: say which with occurrence' % (sub, len(starts)))
        elif occ is not None and (not isinstance(occ, int) or isinstance(occ, bool)
                                  or occ < 1 or occ > len(starts)):
            err('occurrence %r of %r: it occurs %d time(s)' % (occ, sub, len(starts)))
        elif occ is not None and len(starts) == 1:
            err('occurrence given for %r, which occurs once' % sub)
    for key, values in (('polarity', POLARITY), ('experiencer', EXPERIENCER),
                        ('temporality', TEMPORALITY)):
        if f.get(key) not in values:
            err('%s %r not in %s' % (key, f.get(key), sorted(values)))
    family = f.get('experiencer') == 'family'
    if family and f.get('relation') not in RELATION:
        err('relation %r not in %s' % (f.get('relation'), sorted(RELATION)))
    if not family and ('relation' in f or 'onset_age' in f):
        err('relation and onset_age belong to family findings')
    if 'onset_age' in f and (not is_number(f['onset_age']) or not 0 <= f['onset_age'] <= 120):
        err('onset_age must be a number of years')
    check_codes(f, hpo, err)
    check_kind_attrs(f, hpo, lang, err)


def check_record(rec, where, hpo, seen_ids, fname, errors):
    def err(msg):
        errors.append('%s: %s' % (where, msg))
    if not isinstance(rec, dict):
        err('not a JSON object')
        return
    for key in rec:
        if key not in RECORD_KEYS:
            err('unknown key %r' % key)
    rid = rec.get('id')
    if not isinstance(rid, str) or not re.match(r'^bl-(en|zh)-([dh]-)?\d{3,}$', rid):
        err('id %r is not bl-<lang>-<number>' % rid)
    elif rid in seen_ids:
        err('id %s also used at %s' % (rid, seen_ids[rid]))
    else:
        seen_ids[rid] = where
    if rec.get('split') not in SPLITS:
        err('split %r not in %s' % (rec.get('split'), sorted(SPLITS)))
    if rec.get('source') not in SOURCES:
        err('source %r not in %s' % (rec.get('source'), sorted(SOURCES)))
    if rec.get('lang') not in LANGS:
        err('lang %r not in %s' % (rec.get('lang'), sorted(LANGS)))
    m = re.match(r'^(en|zh)-(dev|heldout)\.jsonl$', fname)
    if m and (rec.get('lang'), rec.get('split')) != (m.group(1), m.group(2)):
        err('lang/split %s/%s do not match the file name' % (rec.get('lang'), rec.get('split')))
    if isinstance(rid, str) and rec.get('lang') in LANGS and not rid.startswith('bl-%s-' % rec['lang']):
        err('id %s does not carry lang %s' % (rid, rec.get('lang')))
    text = rec.get('text')
    if not isinstance(text, str) or not text.strip():
        err('text missing')
        return
    findings = rec.get('findings')
    if not isinstance(findings, list):
        err('findings must be a list')
        return
    for i, f in enumerate(findings, 1):
        check_finding(f, text, hpo, rec.get('lang'), lambda msg, i=i: err('finding %d: %s' % (i, msg)))


def check_files(paths, hpo):
    errors = []
    seen_ids = {}
    counts = collections.OrderedDict()
    for path in paths:
        fname = os.path.basename(path)
        c = counts[fname] = collections.Counter()
        with open(path, encoding='utf-8') as fh:
            for n, line in enumerate(fh, 1):
                where = '%s:%d' % (fname, n)
                if not line.strip():
                    errors.append('%s: empty line' % where)
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    errors.append('%s: invalid JSON: %s' % (where, e))
                    continue
                check_record(rec, where, hpo, seen_ids, fname, errors)
                if not isinstance(rec, dict):
                    continue
                split = rec.get('split')
                c[('items', split)] += 1
                findings = rec.get('findings') if isinstance(rec.get('findings'), list) else []
                if not findings:
                    c[('no-finding items', split)] += 1
                for f in findings:
                    if isinstance(f, dict):
                        c[(f.get('kind'), split)] += 1
                        if f.get('polarity') in ('absent', 'possible'):
                            c[('(%s)' % f['polarity'], split)] += 1
                        if f.get('experiencer') == 'family':
                            c[('(family)', split)] += 1
        if not c[('items', 'dev')] + c[('items', 'heldout')]:
            errors.append('%s: no items (an empty set must not pass)' % fname)
    return errors, counts


def print_counts(counts):
    rows = ['items', 'no-finding items', 'symptom', 'condition', 'allergy', 'medication',
            'measurement', 'score', '(absent)', '(possible)', '(family)']
    total = collections.Counter()
    print('%-20s %6s %8s %6s' % ('file / kind', 'dev', 'heldout', 'all'))
    for fname, c in counts.items():
        print(fname)
        for r in rows:
            d, h = c[(r, 'dev')], c[(r, 'heldout')]
            total[(r, 'dev')] += d
            total[(r, 'heldout')] += h
            print('  %-18s %6d %8d %6d' % (r, d, h, d + h))
    if len(counts) > 1:
        print('all files')
        for r in rows:
            d, h = total[(r, 'dev')], total[(r, 'heldout')]
            print('  %-18s %6d %8d %6d' % (r, d, h, d + h))


GOOD = {
    'id': 'bl-en-001', 'split': 'dev', 'source': 'discharge-summary', 'lang': 'en',
    'text': 'Hx of HTN, father had MI at 50. Allergic to penicillin (rash). '
            'metformin 500 mg PO BID. T 101.2 F. Pain 0/10. HTN controlled.',
    'findings': [
        {'kind': 'condition', 'text': 'HTN', 'occurrence': 1, 'codes': ['HP:0000822', 'DOID:10763'],
         'polarity': 'present', 'experiencer': 'patient', 'temporality': 'current',
         'status': 'active'},
        {'kind': 'condition', 'text': 'MI', 'codes': ['HP:0001658', 'DOID:5844'],
         'polarity': 'present', 'experiencer': 'family', 'temporality': 'historical',
         'relation': 'father', 'onset_age': 50},
        {'kind': 'allergy', 'text': 'penicillin', 'codes': ['ATC:J01CE01', 'ATC:J01CE'],
         'polarity': 'present', 'experiencer': 'patient', 'temporality': 'current',
         'reaction': ['HP:0000988']},
        {'kind': 'medication', 'text': 'metformin', 'codes': ['ATC:A10BA02'],
         'polarity': 'present', 'experiencer': 'patient', 'temporality': 'current',
         'dose_value': 500, 'dose_unit': 'mg', 'frequency': 'BID', 'route': 'oral'},
        {'kind': 'measurement', 'text': '101.2 F', 'codes': ['LOINC:8310-5'],
         'polarity': 'present', 'experiencer': 'patient', 'temporality': 'current',
         'value': 38.4, 'unit': 'Cel', 'original_value': 101.2, 'original_unit': '[degF]',
         'interpretation': 'high'},
        {'kind': 'symptom', 'text': 'Pain', 'codes': ['HP:0012531'], 'polarity': 'absent',
         'experiencer': 'patient', 'temporality': 'current'},
        {'kind': 'score', 'text': '0/10', 'codes': ['LOINC:72514-3'], 'polarity': 'present',
         'experiencer': 'patient', 'temporality': 'current', 'value': 0, 'unit': '{score}'},
    ],
}


def self_test(hpo):
    """Each planted defect must be reported, and the good record must pass."""
    import copy

    def run(rec, fname='en-dev.jsonl'):
        errors = []
        check_record(rec, 'x', hpo, {}, fname, errors)
        return errors

    def plant(fn):
        rec = copy.deepcopy(GOOD)
        fn(rec)
        return rec

    def f(i):
        return lambda rec: rec['findings'][i]

    cases = [
        ('split', lambda r: r.update(split='test')),
        ('source', lambda r: r.update(source='blog')),
        ('lang', lambda r: r.update(lang='fr')),
        ('file name', lambda r: r.update(split='heldout')),
        ('id', lambda r: r.update(id='x-1')),
        ('text missing', lambda r: r.update(text='')),
        ('kind', lambda r: f(0)(r).update(kind='disease')),
        ('not in text', lambda r: f(3)(r).update(text='metformin ER')),
        ('no occurrence', lambda r: f(0)(r).pop('occurrence')),
        ('occurrence too big', lambda r: f(0)(r).update(occurrence=3)),
        ('occurrence once', lambda r: f(1)(r).update(occurrence=1)),
        ('polarity', lambda r: f(0)(r).update(polarity='negated')),
        ('experiencer', lambda r: f(0)(r).update(experiencer='mother')),
        ('relation', lambda r: f(1)(r).update(relation='dad')),
        ('relation on patient', lambda r: f(0)(r).update(relation='father')),
        ('status absent', lambda r: f(0)(r).update(polarity='absent')),
        ('status missing', lambda r: f(0)(r).pop('status')),
        ('HP unknown', lambda r: f(0)(r).update(codes=['HP:9999999'])),
        ('DOID shape', lambda r: f(0)(r).update(codes=['DOID:abc'])),
        ('code kind', lambda r: f(3)(r).update(codes=['HP:0000822'])),
        ('empty codes no label', lambda r: f(2)(r).update(codes=[])),
        ('frequency', lambda r: f(3)(r).update(frequency='twice daily')),
        ('route', lambda r: f(3)(r).update(route='by mouth')),
        ('dose pair', lambda r: f(3)(r).pop('dose_unit')),
        ('reaction HP', lambda r: f(2)(r).update(reaction=['HP:9999998'])),
        ('unit', lambda r: f(4)(r).update(unit='[degF]')),
        ('conversion', lambda r: f(4)(r).update(value=38.5)),
        ('interpretation', lambda r: f(4)(r).update(interpretation='normal')),
        ('score key', lambda r: f(6)(r).update(severity='mild')),
        ('value', lambda r: f(6)(r).update(value='0')),
        ('unknown key', lambda r: f(5)(r).update(negated=True)),
    ]
    failures = []
    base = run(copy.deepcopy(GOOD))
    if base:
        failures.append('the good record is rejected: %s' % base)
    for name, fn in cases:
        if not run(plant(fn)):
            failures.append('planted defect not reported: %s' % name)
    # Duplicate ids across records, and an empty file.
    errors = []
    seen = {}
    check_record(copy.deepcopy(GOOD), 'a', hpo, seen, 'en-dev.jsonl', errors)
    check_record(copy.deepcopy(GOOD), 'b', hpo, seen, 'en-dev.jsonl', errors)
    if not any('also used' in e for e in errors):
        failures.append('planted defect not reported: duplicate id')
    for fail in failures:
        print('FAIL', fail)
    print('self-test: %d planted defects, %d not reported' % (len(cases) + 1, len(failures)))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repo', default=os.path.normpath(os.path.join(HERE, '..', '..', '..')))
    ap.add_argument('--self-test', action='store_true')
    ap.add_argument('files', nargs='*')
    args = ap.parse_args()
    hpo = load_hpo(args.repo)
    if args.self_test:
        return self_test(hpo)
    paths = args.files or sorted(glob.glob(os.path.join(HERE, '*.jsonl')))
    if not paths:
        print('no *.jsonl files to check', file=sys.stderr)
        return 1
    errors, counts = check_files(paths, hpo)
    print_counts(counts)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print('%d error(s)' % len(errors), file=sys.stderr)
        return 1
    print('ok: %d file(s)' % len(paths))
    return 0


if __name__ == '__main__':
    sys.exit(main())
