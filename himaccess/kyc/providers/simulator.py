"""A stand-in for UIDAI behind the authentication agency: the same XML in and out, in-process.

Used when ``KYC_AGENCY_URL`` is empty (development, the demo, tests); the
deployment checks refuse it in production. It knows the residents enrolled
with ``enrol`` (tests, demo data) or listed in the JSON file at
``KYC_SIMULATOR_RESIDENTS`` (``[{"aadhaar", "name", "dob", "gender",
"mobile_linked"}]``), keyed by a hash of the number in the cache. An OTP it
"texts" is appended to ``DATA_DIR/uidai-simulator.log`` (the demo's stand-in
for the resident's phone, like the SMS file backend) and to ``outbox``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from lxml import etree

from himaccess.kyc.providers.xml_reading import UnreadableXml, local_name, parse

OTP_SECONDS = 600
OTP_TRIES = 3


@dataclass(frozen=True)
class SentOtp:
    last4: str
    otp: str
    txn: str


# OTPs the simulator texted, in order (tests read them; the demo reads the log file).
outbox: list[SentOtp] = []


def _key(number: str) -> str:
    return "kyc-sim:" + hashlib.sha256(f"uidai-simulator:{number}".encode()).hexdigest()


def enrol(number: str, *, name: str, dob: str, gender: str, mobile_linked: bool = True) -> None:
    """Make a resident known to the simulator (``dob`` as UIDAI writes it: "DD-MM-YYYY" or "YYYY")."""
    cache.set(
        _key(number),
        {"name": name, "dob": dob, "gender": gender, "mobile_linked": mobile_linked},
        timeout=None,
    )


def _resident(number: str) -> dict[str, object] | None:
    found: dict[str, object] | None = cache.get(_key(number))
    if found is not None or not settings.KYC_SIMULATOR_RESIDENTS:
        return found
    path = Path(settings.KYC_SIMULATOR_RESIDENTS)
    if not path.is_file():
        return None
    for row in json.loads(path.read_text(encoding="utf-8")):
        if str(row.get("aadhaar", "")).replace(" ", "") == number:
            enrol(
                number,
                name=row["name"],
                dob=row["dob"],
                gender=row["gender"],
                mobile_linked=row.get("mobile_linked", True),
            )
            return cache.get(_key(number))
    return None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _otp_res(txn: str, ok: bool, err: str = "") -> bytes:
    res = etree.Element("OtpRes", ret="y" if ok else "n", code=secrets.token_hex(8), txn=txn, ts=_now())
    if err:
        res.set("err", err)
    return etree.tostring(res)


def _resp(txn: str, kyc_res: etree._Element | None, err: str = "") -> bytes:
    resp = etree.Element("Resp", status="0" if kyc_res is not None else "-1", ko="KUA", txn=txn, ts=_now())
    resp.set("ret", "y" if kyc_res is not None else "n")
    resp.set("code", secrets.token_hex(8))
    if err:
        resp.set("err", err)
    if kyc_res is not None:
        resp.text = base64.b64encode(etree.tostring(kyc_res)).decode()
    return etree.tostring(resp)


def _deliver(number: str, otp: str, txn: str) -> None:
    outbox.append(SentOtp(last4=number[-4:], otp=otp, txn=txn))
    os.makedirs(settings.DATA_DIR, exist_ok=True)
    with open(Path(settings.DATA_DIR) / "uidai-simulator.log", "a", encoding="utf-8") as handle:
        handle.write(f"{_now()} OTP for Aadhaar XXXX XXXX {number[-4:]}: {otp} (txn {txn})\n")


def _otp(request: etree._Element) -> bytes:
    number, txn = request.get("uid", ""), request.get("txn", "")
    resident = _resident(number)
    if resident is None:
        return _otp_res(txn, False, "998")
    if not resident.get("mobile_linked", True):
        return _otp_res(txn, False, "110")
    otp = f"{secrets.randbelow(10**6):06d}"
    cache.set(f"kyc-sim-otp:{txn}", {"uid": _key(number), "otp": otp, "tries": 0}, timeout=OTP_SECONDS)
    _deliver(number, otp, txn)
    return _otp_res(txn, True)


def _kyc(request: etree._Element) -> bytes:
    rad = request.find("Rad")
    auth = parse(base64.b64decode(rad.text or "")) if rad is not None else None
    if auth is None or local_name(auth) != "Auth":
        raise UnreadableXml("no Auth")
    number, txn = auth.get("uid", ""), auth.get("txn", "")
    data = auth.find("Data")
    pid = parse(base64.b64decode(data.text or "")) if data is not None else None
    pv = pid.find("Pv") if pid is not None else None
    offered = pv.get("otp", "") if pv is not None else ""
    otp_txn = txn.removeprefix("UKC:")
    sent = cache.get(f"kyc-sim-otp:{otp_txn}")
    if sent is None or sent["uid"] != _key(number):
        return _resp(txn, None, "402")
    if sent["tries"] >= OTP_TRIES:
        return _resp(txn, None, "403")
    if not secrets.compare_digest(str(sent["otp"]), offered):
        cache.set(f"kyc-sim-otp:{otp_txn}", {**sent, "tries": sent["tries"] + 1}, timeout=OTP_SECONDS)
        return _resp(txn, None, "400")
    cache.delete(f"kyc-sim-otp:{otp_txn}")
    resident = _resident(number)
    if resident is None:
        return _resp(txn, None, "998")
    kyc_res = etree.Element("KycRes", ret="Y", code=secrets.token_hex(8), txn=txn, ts=_now(), ttl="")
    uid_data = etree.SubElement(kyc_res, "UidData", uid=number, tkn="")
    etree.SubElement(
        uid_data,
        "Poi",
        name=str(resident["name"]),
        dob=str(resident["dob"]),
        gender=str(resident["gender"]),
    )
    etree.SubElement(uid_data, "Poa", co="", house="", street="", lm="", vtc="", dist="", state="", pc="")
    etree.SubElement(uid_data, "Pht").text = base64.b64encode(b"simulated photo").decode()
    return _resp(txn, kyc_res)


def answer(path: str, body: bytes) -> bytes:
    """What the agency would answer to a POST of ``body`` at ``path``."""
    request = parse(body)
    if path.startswith("/otp/") and local_name(request) == "Otp":
        return _otp(request)
    if path.startswith("/kyc/") and local_name(request) == "Kyc":
        return _kyc(request)
    raise UnreadableXml("unknown API")
