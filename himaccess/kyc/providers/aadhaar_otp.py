"""Aadhaar OTP e-KYC: UIDAI's OTP API and Auth/e-KYC API 2.5, through an authentication agency.

Two calls, the shapes of UIDAI's API 2.5:

1. ``request_otp(number)`` posts ``<Otp uid ac sa ver="2.5" txn ts lk type="A"><Opts ch="01"/></Otp>``
   to ``{agency}/otp/2.5/{ac}/{uid[0]}/{uid[1]}/{asalk}``; UIDAI texts an OTP
   to the mobile linked to the Aadhaar number and answers
   ``<OtpRes ret="y|n" code txn ts err/>``. Returns the ``txn``.
2. ``fetch_kyc(number, txn, otp)`` posts
   ``<Kyc ver="2.5" ra="O" rc="Y" lr="N" de="N" pfr="N"><Rad>base64(Auth)</Rad></Kyc>``
   where ``Auth`` carries ``<Uses otp="y" .../>`` and the ``Pid`` block with
   ``<Pv otp=.../>`` (txn prefixed "UKC:"), to ``{agency}/kyc/2.5/...``; the
   answer is ``<Resp status ret code txn ts err>base64(KycRes)</Resp>`` with
   ``<KycRes ret><UidData uid><Poi name dob gender/><Poa .../><Pht/></UidData></KycRes>``.

The agency (the state's KUA/ASA gateway) holds the AUA licence key and the
UIDAI encryption certificate and seals the Pid block and signs the request
on its side (docs/decisions/1161); this client sends the Pid in the request
body over TLS to that gateway only. With no ``KYC_AGENCY_URL`` the in-process
simulator answers (never in production: ``kyc.checks``).

Only ``Demographics`` leaves this module: the photo, address, phone and
e-mail hashes in ``UidData`` are not returned to any caller.
"""

from __future__ import annotations

import base64
import logging
import secrets
import string
from datetime import UTC, datetime

import requests
from django.conf import settings
from lxml import etree

from himaccess.kyc.providers import Demographics, ProviderError, demographics
from himaccess.kyc.providers.xml_reading import UnreadableXml, local_name, parse

logger = logging.getLogger(__name__)

API_VERSION = "2.5"
MAX_RESPONSE_BYTES = 2_000_000
# UIDAI error codes that mean something to the resident; any other is "rejected".
OTP_ERRORS = {"110": "no_mobile", "111": "no_mobile", "112": "no_mobile", "998": "aadhaar_unknown"}
KYC_ERRORS = {"400": "otp_wrong", "402": "otp_wrong", "403": "otp_wrong", "998": "aadhaar_unknown"}


def _timestamp() -> str:
    return datetime.now(UTC).astimezone().strftime("%Y-%m-%dT%H:%M:%S")


def new_txn(prefix: str = "") -> str:
    # Letters only: a run of digits in a stored transaction id could look like an Aadhaar number to the
    # scan that proves no number is kept outside the vault.
    return f"{prefix}HPKYC:" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))


def _path(api: str, number: str) -> str:
    return (
        f"/{api}/{API_VERSION}/{settings.KYC_AUA_CODE}/{number[0]}/{number[1]}/{settings.KYC_ASA_LICENCE_KEY}"
    )


def otp_request_xml(number: str, txn: str) -> bytes:
    otp = etree.Element(
        "Otp",
        uid=number,
        ac=settings.KYC_AUA_CODE,
        sa=settings.KYC_SUB_AUA_CODE,
        ver=API_VERSION,
        txn=txn,
        ts=_timestamp(),
        lk=settings.KYC_AUA_LICENCE_KEY,
        type="A",
    )
    etree.SubElement(otp, "Opts", ch="01")
    return etree.tostring(otp, xml_declaration=True, encoding="UTF-8")


def kyc_request_xml(number: str, txn: str, otp_value: str) -> bytes:
    pid = etree.Element("Pid", ts=_timestamp(), ver="2.0", wadh="")
    etree.SubElement(pid, "Pv", otp=otp_value)
    auth = etree.Element(
        "Auth",
        uid=number,
        rc="Y",
        tid="",
        ac=settings.KYC_AUA_CODE,
        sa=settings.KYC_SUB_AUA_CODE,
        ver=API_VERSION,
        txn=txn,
        lk=settings.KYC_AUA_LICENCE_KEY,
    )
    etree.SubElement(auth, "Uses", pi="n", pa="n", pfa="n", bio="n", bt="", pin="n", otp="y")
    etree.SubElement(auth, "Device", rdsId="", rdsVer="", dpId="", dc="", mi="", mc="")
    etree.SubElement(auth, "Skey", ci="")
    etree.SubElement(auth, "Hmac")
    data = etree.SubElement(auth, "Data", type="X")
    data.text = base64.b64encode(etree.tostring(pid)).decode()
    kyc = etree.Element("Kyc", ver=API_VERSION, ra="O", rc="Y", lr="N", de="N", pfr="N")
    rad = etree.SubElement(kyc, "Rad")
    rad.text = base64.b64encode(etree.tostring(auth)).decode()
    return etree.tostring(kyc, xml_declaration=True, encoding="UTF-8")


def _post(path: str, body: bytes) -> bytes:
    """The network edge: the agency over HTTPS, or the simulator when none is configured."""
    if not settings.KYC_AGENCY_URL:
        # Only without an agency (demo, development): a production process never loads the simulator.
        from himaccess.kyc.providers import simulator

        return simulator.answer(path, body)
    try:
        response = requests.post(
            settings.KYC_AGENCY_URL.rstrip("/") + path,
            data=body,
            headers={"Content-Type": "application/xml"},
            timeout=settings.KYC_AGENCY_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        logger.warning("e-KYC agency unreachable: %s", type(exc).__name__)
        raise ProviderError("unavailable") from None
    if response.status_code >= 500:
        raise ProviderError("unavailable")
    if response.status_code != 200 or len(response.content) > MAX_RESPONSE_BYTES:
        raise ProviderError("rejected")
    return response.content


def _parsed(data: bytes, expected: str) -> etree._Element:
    try:
        root = parse(data)
    except UnreadableXml:
        raise ProviderError("bad_response") from None
    if local_name(root) != expected:
        raise ProviderError("bad_response")
    return root


def request_otp(number: str) -> str:
    """Ask UIDAI to text an OTP to the number's linked mobile; returns the transaction id."""
    txn = new_txn()
    root = _parsed(_post(_path("otp", number), otp_request_xml(number, txn)), "OtpRes")
    if root.get("ret", "").lower() != "y":
        code = root.get("err", "")
        raise ProviderError(OTP_ERRORS.get(code, "rejected"))
    if root.get("txn") != txn:
        raise ProviderError("bad_response")
    return txn


def fetch_kyc(number: str, txn: str, otp_value: str) -> Demographics:
    """The resident's demographics from UIDAI, authenticated by the OTP they received."""
    kyc_txn = txn if txn.startswith("UKC:") else f"UKC:{txn}"
    resp = _parsed(_post(_path("kyc", number), kyc_request_xml(number, kyc_txn, otp_value)), "Resp")
    if resp.get("ret", "").lower() != "y" or resp.get("status") not in ("0", None):
        raise ProviderError(KYC_ERRORS.get(resp.get("err", ""), "rejected"))
    try:
        payload = base64.b64decode(resp.text or "", validate=True)
    except ValueError:
        raise ProviderError("bad_response") from None
    kyc_res = _parsed(payload, "KycRes")
    if kyc_res.get("ret", "").upper() != "Y":
        raise ProviderError(KYC_ERRORS.get(kyc_res.get("err", ""), "rejected"))
    if kyc_res.get("txn") not in (kyc_txn, txn):
        raise ProviderError("bad_response")
    poi = kyc_res.find("UidData/Poi")
    if poi is None:
        raise ProviderError("bad_response")
    return demographics(
        poi.get("name", ""),
        poi.get("dob", ""),
        poi.get("gender", ""),
        last4=number[-4:],
        reference=kyc_txn[:60],
    )
