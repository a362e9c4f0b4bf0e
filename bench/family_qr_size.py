"""Family card QR size by family size: layout 1 (Member IDs listed) against layout 2 (count and digest).

Prints, for each family size, the QR text length, the QR version at level Q and the module size in the
34 mm square of the ID-1 family card (0.33 mm is the floor phones read reliably from print).
Needs no database: the credentials are built and signed as the product builds them.

    .venv/bin/python bench/family_qr_size.py
"""

from __future__ import annotations

import os
import random
import sys
import time
import zlib
from pathlib import Path

import cbor2
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "himaccess" / "cards" / "verifier"))
import himparivar_verify as spec

BOX_MM, QUIET = 34.0, 4
KEY = Ed25519PrivateKey.generate()


def qr_text(extension: dict[int, object]) -> str:
    cwt = {
        spec.CWT_ISS: "https://himaccess.hp.gov.in",
        spec.CWT_EXP: 1_950_000_000,
        spec.CWT_NBF: 1_764_633_600,
        spec.CWT_IAT: 1_764_633_600,
        spec.CWT_CTI: os.urandom(8),
        spec.CLAIM_169: {1: "F2K7QW9RT4M", 3: "eng", 4: "Asha Devi", 19: "आशा देवी", 20: "hin", 21: "31"},
        spec.HP_EXTENSION: extension,
    }
    protected = cbor2.dumps({spec.COSE_ALG: spec.ALG_EDDSA, spec.COSE_KID: b"abcdefghijk"})
    payload = cbor2.dumps(cwt)
    signature = KEY.sign(spec.sig_structure(protected, payload))
    message = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    return spec.b45encode(zlib.compress(message, 9))


def describe(text: str) -> str:
    try:
        code = segno.make(text, error="q", micro=False, boost_error=False)
    except segno.DataOverflowError:
        return f"{len(text):5d} chars, does not fit any QR at level Q"
    modules = code.symbol_size(border=0)[0]
    return f"{len(text):5d} chars, version {code.version:2d}, {BOX_MM / (modules + 2 * QUIET):.2f} mm modules"


def main() -> None:
    started = time.perf_counter()
    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores")
    for size in (1, 24, 41, 120):
        # Member IDs look random (a keyed permutation of a counter), so they compress little.
        ids = ["M" + "".join(random.choices("0123456789ABCDEFGHJKMNPQRSTVWXYZ", k=10)) for _ in range(size)]
        old = qr_text({spec.EXT_KIND: "F", spec.EXT_MEMBER_IDS: ids})
        new = qr_text(
            {
                spec.EXT_KIND: "F",
                spec.EXT_LAYOUT: spec.CURRENT_LAYOUT,
                spec.EXT_MEMBER_COUNT: size,
                spec.EXT_MEMBERS_DIGEST: spec.members_digest(ids),
            }
        )
        print(f"{size:4d} members  layout 1: {describe(old)}")
        print(f"{'':4s}          layout 2: {describe(new)}")
    print(f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
