#!/usr/bin/python3
"""Independent verifier for Medverse audit trees.

Written from RFC 6962 / RFC 9162 and docs/security.md only, sharing no code with the daemon:
Python's hashlib for SHA-256 and PyNaCl (Debian: python3-nacl) for Ed25519.

Input: one JSON document (a file, '-' for stdin, or the stdout of --exec PROGRAM [ARGS...]).
Every section is optional; whatever is present is checked:

  log_id        the installation id the tree heads must name
  tree_id       the tree (clinic id) the document is about
  public_key    hex Ed25519 public key of the log (needed for "sths")
  entries       [{clinic_id, seq, timestamp_us, actor, action, resource_type, resource_id,
                  request_id, [encoding], [leaf_hash]}] in seq order; the canonical encoding and
                  leaf hash are recomputed from the fields and compared with the given ones
  roots         [hex]: roots[n] must be MTH of the first n leaves (needs entries)
  inclusion     [{index, tree_size, path: [hex], [leaf_hash], [root]}]: verified with the
                  RFC 9162 2.1.3.2 algorithm; with entries, also compared with the RFC 6962
                  PATH() computed here
  consistency   [{size1, size2, path: [hex], [root1], [root2]}]: RFC 9162 2.1.4.2, and compared
                  with PROOF() computed here when entries are given
  sths          [{log_id, tree_id, tree_size, root_hash, timestamp_us, signature}]: signature checked
                  over the canonical STH encoding; root compared with MTH when entries are given

Exit status 0 when everything verifies, 1 with a list of failures otherwise, 2 on bad usage.
With --expect-failure TEXT the sense is inverted: 0 only if a failure mentions TEXT.
"""

import argparse
import hashlib
import json
import subprocess
import sys

try:
    import nacl.exceptions
    import nacl.signing
except ImportError:  # pragma: no cover
    nacl = None

HASH_LEN = 32


# ---- canonical encoding (docs/security.md, "Canonical encoding") ------------------------------

def field(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def field_str(s: str) -> bytes:
    return field(s.encode("utf-8"))


def field_u64(v: int) -> bytes:
    return field((v & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big"))


def encode_entry(e) -> bytes:
    return b"".join([
        field_str("medverse.audit.entry.v1"),
        field_str(e["clinic_id"]),
        field_u64(e["seq"]),
        field_u64(e["timestamp_us"]),
        field_str(e["actor"]),
        field_str(e["action"]),
        field_str(e["resource_type"]),
        field_str(e["resource_id"]),
        field_str(e["request_id"]),
    ])


def encode_sth(s) -> bytes:
    return b"".join([
        field_str("medverse.audit.sth.v1"),
        field_str(s["log_id"]),
        field_str(s["tree_id"]),
        field_u64(s["tree_size"]),
        field(bytes.fromhex(s["root_hash"])),
        field_u64(s["timestamp_us"]),
    ])


# ---- RFC 6962 section 2.1 ----------------------------------------------------------------------

def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) <= 1:
        return []
    k = split(len(leaves))
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, complete):
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = split(n)
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def proof(m, leaves):
    if m == 0 or m == len(leaves):
        return []
    return subproof(m, leaves, True)


# ---- RFC 9162 section 2.1.3.2 and 2.1.4.2 --------------------------------------------------------

def verify_inclusion(leaf, index, size, audit_path, root) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in audit_path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, cpath, root1, root2) -> bool:
    if size1 > size2:
        return False
    if size1 == size2:
        return not cpath and root1 == root2
    if size1 == 0:
        return not cpath
    if not cpath:
        return False
    if size1 & (size1 - 1) == 0:
        cpath = [root1] + list(cpath)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = cpath[0]
    for c in cpath[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


# ---- the checks ----------------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.failures = []
        self.checked = 0

    def check(self, ok, what):
        self.checked += 1
        if not ok:
            self.failures.append(what)


def hexes(items):
    return [bytes.fromhex(h) for h in items]


def verify(doc) -> Report:
    rep = Report()
    leaves = None
    tree_id = doc.get("tree_id")

    if "entries" in doc:
        leaves = []
        for i, e in enumerate(doc["entries"]):
            rep.check(e["seq"] == i, f"entry {i}: seq is {e['seq']}")
            if tree_id is not None:
                rep.check(e["clinic_id"] == tree_id, f"entry {i}: belongs to {e['clinic_id']}")
            enc = encode_entry(e)
            if "encoding" in e:
                rep.check(enc.hex() == e["encoding"], f"entry {i}: canonical encoding differs")
            lh = leaf_hash(enc)
            if "leaf_hash" in e:
                rep.check(lh.hex() == e["leaf_hash"], f"entry {i}: leaf hash differs")
            leaves.append(lh)

    if "roots" in doc and leaves is not None:
        for n, r in enumerate(doc["roots"]):
            rep.check(mth(leaves[:n]).hex() == r, f"root of size {n} differs")

    roots = {}
    if leaves is not None:
        roots = {n: mth(leaves[:n]) for n in range(len(leaves) + 1)}

    for p in doc.get("inclusion", []):
        m, n = p["index"], p["tree_size"]
        ap = hexes(p["path"])
        what = f"inclusion proof of leaf {m} in tree size {n}"
        leaf = bytes.fromhex(p["leaf_hash"]) if "leaf_hash" in p else leaves[m]
        root = bytes.fromhex(p["root"]) if "root" in p else roots[n]
        rep.check(verify_inclusion(leaf, m, n, ap, root), what + " does not verify")
        if leaves is not None and n <= len(leaves):
            rep.check(ap == path(m, leaves[:n]), what + " is not the RFC 6962 audit path")

    for p in doc.get("consistency", []):
        m, n = p["size1"], p["size2"]
        cp = hexes(p["path"])
        what = f"consistency proof from size {m} to {n}"
        r1 = bytes.fromhex(p["root1"]) if "root1" in p else roots[m]
        r2 = bytes.fromhex(p["root2"]) if "root2" in p else roots[n]
        rep.check(verify_consistency(m, n, cp, r1, r2), what + " does not verify")
        if leaves is not None and n <= len(leaves):
            rep.check(cp == proof(m, leaves[:n]), what + " is not the RFC 6962 proof")

    if doc.get("sths"):
        if nacl is None:
            rep.check(False, "python3-nacl is not installed: cannot check signatures")
            return rep
        key = nacl.signing.VerifyKey(bytes.fromhex(doc["public_key"]))
        for s in doc["sths"]:
            what = f"tree head of {s['tree_id']} at size {s['tree_size']}"
            try:
                key.verify(encode_sth(s), bytes.fromhex(s["signature"]))
                rep.check(True, what)
            except nacl.exceptions.BadSignatureError:
                rep.check(False, what + ": invalid signature")
            if tree_id is not None:
                rep.check(s["tree_id"] == tree_id, what + ": wrong tree")
            if doc.get("log_id") is not None:
                rep.check(s["log_id"] == doc["log_id"], what + ": wrong installation")
            if leaves is not None:
                ok = s["tree_size"] <= len(leaves) and \
                    roots[s["tree_size"]].hex() == s["root_hash"]
                rep.check(ok, what + ": root does not match the entries")
    return rep


# The test leaves of the RFC 6962 reference implementation (certificate-transparency
# merkle_tree_test) with their published roots and proofs: checked by --self-test so this
# verifier is itself anchored to known answers, not only to agreement with the daemon.
KAT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]
KAT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
KAT_CONSISTENCY = {
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}


def self_test() -> Report:
    rep = Report()
    leaves = [leaf_hash(bytes.fromhex(x)) for x in KAT_LEAVES]
    for n, r in KAT_ROOTS.items():
        rep.check(mth(leaves[:n]).hex() == r, f"known-answer root of size {n}")
    for (m, n), p in KAT_CONSISTENCY.items():
        got = [h.hex() for h in proof(m, leaves[:n])]
        rep.check(got == p, f"known-answer consistency proof {m} -> {n}")
        rep.check(verify_consistency(m, n, hexes(p), mth(leaves[:m]), mth(leaves[:n])),
                  f"known-answer consistency proof {m} -> {n} verifies")
    for n in range(1, 9):
        for m in range(n):
            rep.check(verify_inclusion(leaves[m], m, n, path(m, leaves[:n]), mth(leaves[:n])),
                      f"inclusion {m}/{n}")
    return rep


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", nargs="?", help="JSON document, '-' for stdin")
    ap.add_argument("--exec", nargs=argparse.REMAINDER, dest="exec_argv",
                    help="run PROGRAM [ARGS...] and verify its standard output")
    ap.add_argument("--expect-failure", metavar="TEXT",
                    help="succeed only if verification fails with a message containing TEXT "
                         "(for tests showing a corrupted document is caught)")
    ap.add_argument("--self-test", action="store_true",
                    help="check this verifier against the RFC 6962 reference test vectors")
    args = ap.parse_args(argv)
    if nacl is None:
        # never a partial check: without Ed25519 nothing here proves anything, and an expected
        # failure found among the others would pass for the wrong reason
        print(f"FAIL: python3-nacl (PyNaCl) is not installed for {sys.executable}: "
              "scripts/install-deps installs it", file=sys.stderr)
        return 1
    if args.self_test:
        rep = self_test()
        for f in rep.failures:
            print("FAIL:", f)
        print(f"self-test: {rep.checked} checks, {len(rep.failures)} failed")
        return 1 if rep.failures else 0
    if args.exec_argv:
        out = subprocess.run(args.exec_argv, check=True, stdout=subprocess.PIPE).stdout
        doc = json.loads(out)
    elif args.json == "-":
        doc = json.load(sys.stdin)
    elif args.json:
        with open(args.json, encoding="utf-8") as f:
            doc = json.load(f)
    else:
        ap.print_usage(sys.stderr)
        return 2
    rep = verify(doc)
    for f in rep.failures:
        print("FAIL:", f)
    print(f"{rep.checked} checks, {len(rep.failures)} failed")
    if args.expect_failure is not None:
        if any(args.expect_failure in f for f in rep.failures):
            print(f"expected failure found: {args.expect_failure!r}")
            return 0
        print(f"FAIL: no failure mentioning {args.expect_failure!r}")
        return 1
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
