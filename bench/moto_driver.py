"""moto's in-process KMS backend on the bench's workloads (bench/run.mjs drives it).

Calls moto.kms.models.KmsBackend directly (create_key, encrypt, decrypt, re_encrypt,
generate_data_key): "moto's in-process backend", without its HTTP/JSON layer (responses.py).

Two modes:
  python3 bench/moto_driver.py --serve
      one JSON command per stdin line, one JSON answer per stdout line:
        {"op": "version"}                                   -> {"moto": "5.2.1", "python": "..."}
        {"op": "setup", "name": N, "workload": W}           -> {"ok": true, "seconds": s}
        {"op": "round", "name": N, "n": calls}              -> {"rate": ops_per_second}
        {"op": "drop", "name": N}                           -> {"ok": true}
      so run.mjs can interleave moto's rounds with its own (machine noise hits both alike).
  python3 bench/moto_driver.py [--ms 500] [--rounds 9]
      runs the standard workloads (below) by itself and prints one JSON object.

A workload W: {"kind": "ReEncrypt" | "Encrypt" | "Decrypt" | "GenerateDataKey",
               "size": bytes (plaintext, or NumberOfBytes for GenerateDataKey),
               "context": {k: v} (the encryption context, on both sides for ReEncrypt),
               "keys": number of keys (default 2), "random": pick keys at random per call,
               "blobs": distinct source blobs when random (default min(keys, 10000))}.
"""

import json
import os
import random
import sys
import time

from copy import copy

from moto.kms.models import kms_backends
from moto.kms.utils import generate_key_id, generate_master_key

ACCOUNT = "123456789012"
REGION = "us-east-1"

_backend = None
_template = None


def backend():
    # One account and region; each workload makes its own keys ("drop" removes them again).
    global _backend
    if _backend is None:
        _backend = kms_backends[ACCOUNT][REGION]
    return _backend


def create_keys(b, n):
    # moto makes an RSA-2048 private key for every key, symmetric ones too
    # (moto/kms/utils.py generate_private_key: 40-170 ms each here), which would take hours
    # for 10^5 keys. So one key is made by create_key and the others are copies of it with
    # their own ID, ARN, key material, grants and rotations: what the timed calls read.
    # The calls measured are moto's own, untouched.
    global _template
    if _template is None:
        _template = b.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "", None)
        b.keys.pop(_template.id)
    first = _template
    ids = []
    for _ in range(n):
        k = copy(first)
        k.id = generate_key_id(False)
        k.arn = first.arn.rsplit("/", 1)[0] + "/" + k.id
        k.key_material = generate_master_key()
        k.grants = {}
        k.rotations = []
        k.aliases = {}
        b.keys[k.id] = k
        ids.append(k.id)
    return ids


def setup(w):
    """Builds the zero-argument callable that performs one call of workload w."""
    b = backend()
    kind = w["kind"]
    size = int(w.get("size", 32))
    ctx = dict(w.get("context") or {})
    n_keys = int(w.get("keys", 2))
    rnd = bool(w.get("random", False))
    keys = create_keys(b, max(2, n_keys))
    pt = os.urandom(size)
    if kind == "Encrypt":
        if not rnd:
            k = keys[0]
            return lambda: b.encrypt(k, pt, ctx), keys
        return lambda: b.encrypt(random.choice(keys), pt, ctx), keys
    if kind == "GenerateDataKey":
        spec = "AES_256" if size == 32 else None
        nbytes = None if spec else size
        if not rnd:
            k = keys[0]
            return lambda: b.generate_data_key(k, ctx, nbytes, spec), keys
        return lambda: b.generate_data_key(random.choice(keys), ctx, nbytes, spec), keys
    if not rnd:
        blob, _ = b.encrypt(keys[0], pt, ctx)
        if kind == "Decrypt":
            return lambda: b.decrypt(blob, ctx), keys
        dst = keys[1]
        return lambda: b.re_encrypt(blob, ctx, dst, ctx), keys
    n_blobs = int(w.get("blobs", min(len(keys), 10000)))
    blobs = [b.encrypt(random.choice(keys), pt, ctx)[0] for _ in range(n_blobs)]
    if kind == "Decrypt":
        return lambda: b.decrypt(random.choice(blobs), ctx), keys
    return lambda: b.re_encrypt(random.choice(blobs), ctx, random.choice(keys), ctx), keys


# The same clock as bench/harness.mjs: CPU time of this process (BENCH_CLOCK=wall: wall time).
CLOCK = time.perf_counter if os.environ.get("BENCH_CLOCK") == "wall" else time.process_time


def timed(fn, n):
    t0 = CLOCK()
    for _ in range(n):
        fn()
    return n / (CLOCK() - t0)


def serve():
    fns = {}
    owned = {}
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
            op = cmd["op"]
            if op == "version":
                import moto

                ans = {"moto": moto.__version__, "python": sys.version.split()[0]}
            elif op == "setup":
                t0 = time.perf_counter()
                fn, keys = setup(cmd["workload"])
                fn()  # one call proves the workload runs before anything is timed
                fns[cmd["name"]] = fn
                owned[cmd["name"]] = keys
                ans = {"ok": True, "seconds": time.perf_counter() - t0}
            elif op == "round":
                ans = {"rate": timed(fns[cmd["name"]], int(cmd["n"]))}
            elif op == "drop":
                fns.pop(cmd["name"], None)
                b = backend()
                for k in owned.pop(cmd["name"], []):
                    b.keys.pop(k, None)
                ans = {"ok": True}
            else:
                ans = {"error": f"unknown op {op}"}
        except Exception as e:  # report, keep serving
            ans = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(ans) + "\n")
        out.flush()


# The same pairs as contextOf() in bench/workloads.mjs.
PAIRS = [
    ("tenant", "acme-corp"), ("purpose", "backup"), ("app", "billing"), ("env", "production"),
    ("region", "eu-west-1"), ("service", "invoices"), ("owner", "team-payments"),
    ("project", "ledger-2026"), ("classification", "confidential"), ("cost-center", "cc-4711"),
]
STANDARD_CONTEXTS = {n: dict(PAIRS[:n]) for n in (0, 2, 10)}


def standalone(ms, rounds):
    res = {}
    for kind in ("ReEncrypt", "Encrypt", "Decrypt"):
        for size in (32, 1024, 4096):
            for pairs, ctx in STANDARD_CONTEXTS.items():
                fn, _ = setup({"kind": kind, "size": size, "context": ctx})
                batch = 1
                while True:
                    t0 = CLOCK()
                    timed(fn, batch)
                    if CLOCK() - t0 >= 0.02:
                        break
                    batch *= 2
                per = max(1, int(batch * (ms / rounds) / 20))
                rates = sorted(timed(fn, per) for _ in range(rounds))
                res[f"{kind} {size} B {pairs} pairs"] = rates[len(rates) // 2]
    return res


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve()
    else:
        args = sys.argv[1:]
        ms = float(args[args.index("--ms") + 1]) if "--ms" in args else 500
        rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 9
        print(json.dumps(standalone(ms, rounds), indent=2))
