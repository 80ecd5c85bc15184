#!/usr/bin/python3
"""The evaluator's own test: saved predictions against small gold files whose figures were
worked out by hand (eval-fixtures/README.md), the exit codes of thresholds, and the refusal of
an empty set.  Usage: test_evaluate.py EVALUATE FIXTURES_DIR TMP_DIR
"""
import json
import math
import os
import subprocess
import sys

EVALUATE, FIXTURES, TMP = sys.argv[1:4]
failures = []


def run(gold, pred, *args):
    out = os.path.join(TMP, 'evaluate-test.json')
    if os.path.exists(out):
        os.unlink(out)
    cmd = [EVALUATE, '--predictions', os.path.join(FIXTURES, pred), '--json', out, *args,
           os.path.join(FIXTURES, gold)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    figures = None
    if os.path.exists(out):
        with open(out, encoding='utf-8') as f:
            figures = json.load(f)
    return proc, figures


def check(what, got, want):
    if want is None or got is None:
        ok = got is want
    elif isinstance(want, float):
        ok = math.isclose(got, want, abs_tol=1e-9)
    else:
        ok = got == want
    if not ok:
        failures.append(f'{what}: got {got!r}, want {want!r}')


def group(figures, name):
    return next(g for g in figures['groups'] if g['name'] == name)


def check_prf(prefix, prf, gold, pred, tp_gold, tp_pred, p, r, f1):
    for key, want in (('gold', gold), ('pred', pred), ('tp_gold', tp_gold),
                      ('tp_pred', tp_pred), ('p', p), ('r', r), ('f1', f1)):
        check(f'{prefix} {key}', prf[key], want)


def test_blind():
    """3 sentences, 9 merged gold findings (two mentions of cough merge), 9 predictions: 8
    matched, 1 spurious (fatigue), 1 missed (NKDA); one wrong polarity, one wrong temporality,
    a wrong frequency and a value outside the tolerance; 心梗 matched across symptom/condition;
    peanut (gold codes []) matched by span alone; onset age 50.4 within 0.5 of 50."""
    proc, fig = run('blind-small.jsonl', 'blind-small.pred.jsonl')
    check('blind exit code', proc.returncode, 0)
    g = group(fig, 'blind-small.jsonl')
    check('blind format', g['format'], 'blind')
    check('blind sentences', g['sentences'], 3)
    k = g['kinds']
    check_prf('symptom', k['symptom'], 2, 4, 2, 3, 0.75, 1.0, 2 * 0.75 / 1.75)
    check_prf('condition', k['condition'], 2, 1, 2, 1, 1.0, 1.0, 1.0)
    check_prf('symptom+condition', k['symptom+condition'], 4, 5, 4, 4, 0.8, 1.0, 1.6 / 1.8)
    check_prf('allergy', k['allergy'], 3, 2, 2, 2, 1.0, 2 / 3, 0.8)
    check_prf('medication', k['medication'], 1, 1, 1, 1, 1.0, 1.0, 1.0)
    check_prf('measurement', k['measurement'], 1, 1, 1, 1, 1.0, 1.0, 1.0)
    check_prf('score', k['score'], 0, 0, 0, 0, None, None, None)
    check_prf('all', k['all'], 9, 9, 8, 8, 8 / 9, 8 / 9, 8 / 9)
    check_prf('concept+polarity', g['concept+polarity'], 9, 9, 7, 7, 7 / 9, 7 / 9, 7 / 9)
    check_prf('concept+context', g['concept+context'], 9, 9, 6, 6, 6 / 9, 6 / 9, 6 / 9)
    check('polarity accuracy', g['polarity_accuracy'], 7 / 8)
    check('experiencer accuracy', g['experiencer_accuracy'], 1.0)
    check('temporality accuracy', g['temporality_accuracy'], 7 / 8)
    check('status accuracy', g['status_accuracy'], 1.0)
    check_prf('negation', g['negation'], 1, 0, 0, 0, None, 0.0, 0.0)
    a = g['attributes']
    for name in ('relation', 'onset_age', 'unit', 'interpretation', 'dose_value', 'dose_unit',
                 'reaction'):
        check_prf(name, a[name], 1, 1, 1, 1, 1.0, 1.0, 1.0)
    for name in ('value', 'frequency'):
        check_prf(name, a[name], 1, 1, 0, 0, 0.0, 0.0, 0.0)
    for name in ('duration_hours', 'severity', 'laterality', 'site', 'route'):
        check_prf(name, a[name], 0, 0, 0, 0, None, None, None)
    check('cross kind', g['cross_kind'], 1)
    # per language and split
    check_prf('lang=zh all', group(fig, 'lang=zh')['kinds']['all'], 3, 3, 3, 3, 1.0, 1.0, 1.0)
    check_prf('split=heldout all', group(fig, 'split=heldout')['kinds']['all'],
              5, 4, 4, 4, 1.0, 0.8, 2 * 0.8 / 1.8)
    check_prf('lang=en split=dev all', group(fig, 'lang=en split=dev')['kinds']['all'],
              4, 5, 4, 4, 0.8, 1.0, 1.6 / 1.8)


def test_errors_listing():
    proc, _ = run('blind-small.jsonl', 'blind-small.pred.jsonl', '--errors')
    for line in ('metformin frequency: predicted QD, gold BID',
                 'chest pain polarity: predicted present, gold absent',
                 'FP symptom HP:0012378', '39.2℃ value: predicted 39.8, gold 39.2',
                 '心梗 kind: predicted symptom, gold condition',
                 '心梗 temporality: predicted current, gold historical',
                 'FN allergy MV:4000'):
        if line not in proc.stdout:
            failures.append(f'--errors does not list "{line}"')


def test_not_annotated():
    """--not-annotated: the unmatched fatigue (HP:0012378) is set apart instead of being a false
    positive; a matched finding whose code is named (HTN) still counts as a match."""
    proc, fig = run('blind-small.jsonl', 'blind-small.pred.jsonl',
                    '--not-annotated', 'HP:0012378', '--not-annotated', 'HP:0000822')
    check('not-annotated exit code', proc.returncode, 0)
    g = group(fig, 'blind-small.jsonl')
    check('not-annotated count', g['unannotated'], 1)
    check_prf('not-annotated symptom', g['kinds']['symptom'], 2, 3, 2, 3, 1.0, 1.0, 1.0)
    check_prf('not-annotated condition (HTN still matched)', g['kinds']['condition'],
              2, 1, 2, 1, 1.0, 1.0, 1.0)
    check_prf('not-annotated all', g['kinds']['all'], 9, 8, 8, 8, 1.0, 8 / 9, 16 / 17)
    if 'not scored: 1 unmatched findings' not in proc.stdout:
        failures.append('output does not say what it did not score')
    _, plain = run('blind-small.jsonl', 'blind-small.pred.jsonl')
    check('without the option nothing is set apart',
          group(plain, 'blind-small.jsonl')['unannotated'], 0)


def test_legacy():
    """Legacy format: a merged prediction of 2 mentions matches 2 gold mentions; a condition
    matching a gold code counts as the symptom the set calls it; an unmatched condition and a
    medication are ignored, not spurious."""
    proc, fig = run('legacy-small.jsonl', 'legacy-small.pred.jsonl')
    check('legacy exit code', proc.returncode, 0)
    g = group(fig, 'legacy-small.jsonl')
    check('legacy format', g['format'], 'legacy')
    check_prf('legacy all', g['kinds']['all'], 5, 6, 5, 5, 5 / 6, 1.0, 2 * (5 / 6) / (1 + 5 / 6))
    check('legacy polarity accuracy', g['polarity_accuracy'], 0.8)
    check('legacy ignored condition', g['ignored']['condition'], 1)
    check('legacy ignored medication', g['ignored']['medication'], 1)
    check_prf('legacy duration (26 h within 10 % of 24)', g['attributes']['duration_hours'],
              1, 1, 1, 1, 1.0, 1.0, 1.0)
    check_prf('legacy site ("SITE:head" and "head" are one site)', g['attributes']['site'],
              1, 1, 1, 1, 1.0, 1.0, 1.0)
    if 'ignored: 1 unmatched condition findings' not in proc.stdout:
        failures.append('legacy output does not say what it ignored')


def test_thresholds():
    cases = [
        (['--min-f1', '0.88'], 0),                       # all F1 0.889
        (['--min-f1', '0.89'], 1),
        (['--min-f1', 'allergy=0.8'], 0),
        (['--min-f1', 'allergy=0.81'], 1),
        (['--min-f1', 'symptom+condition=0.88'], 0),
        (['--min-f1', 'score=0.1'], 1),                  # nothing to measure is a failure
        (['--min-polarity', '0.875'], 0),
        (['--min-polarity', '0.88'], 1),
        (['--min-attr', 'reaction=1'], 0),
        (['--min-attr', 'frequency=0.1'], 1),
        (['--min-attr', 'temporality=0.87'], 0),
        (['--min-attr', 'temporality=0.9'], 1),
        (['--min-attr', 'site=0.1'], 1),                 # no site anywhere
        (['--min-attr', 'bogus=0.5'], 2),
        (['--min-f1', 'bogus=0.5'], 2),
    ]
    for args, want in cases:
        proc, fig = run('blind-small.jsonl', 'blind-small.pred.jsonl', *args)
        check(f'exit code with {" ".join(args)}', proc.returncode, want)
        if want == 1:
            check(f'json ok with {" ".join(args)}', fig['ok'], False)


def test_empty_sets_fail():
    proc, fig = run('empty.jsonl', 'no-findings.pred.jsonl')
    check('empty file exit code', proc.returncode, 1)
    check('empty file json ok', fig['ok'], False)
    proc, _ = run('no-findings.jsonl', 'no-findings.pred.jsonl')
    check('no gold findings exit code', proc.returncode, 1)
    if 'nothing was measured' not in proc.stdout:
        failures.append('an empty set does not say why it failed')


def test_bad_gold():
    proc, _ = run('bad-span.jsonl', 'no-findings.pred.jsonl')
    check('a gold text not in its sentence: exit code', proc.returncode, 2)
    if 'bad-span.jsonl:1' not in proc.stderr or 'not in the sentence' not in proc.stderr:
        failures.append(f'bad gold span message: {proc.stderr!r}')


for test in (test_blind, test_errors_listing, test_not_annotated, test_legacy, test_thresholds,
             test_empty_sets_fail, test_bad_gold):
    test()
for f in failures:
    print('FAIL', f)
print(f'{len(failures)} failures')
sys.exit(1 if failures else 0)
