"""Aadhaar Paperless Offline e-KYC: the signed XML, in a zip locked with the resident's share code.

UIDAI's file is ``offlineaadhaar<time>.zip``, encrypted with the 4-character
share code the resident chose, holding one XML file::

    <OfflinePaperlessKyc referenceId="<last 4 digits><YYYYMMDDHHMMSSmmm>">
      <UidData>
        <Poi dob="DD-MM-YYYY" e="…" gender="M" m="…" name="…"/>
        <Poa careof="…" country="India" dist="…" house="…" … pc="…" state="…" vtc="…"/>
        <Pht>base64 JPEG</Pht>
      </UidData>
      <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">…</Signature>
    </OfflinePaperlessKyc>

``read`` treats the upload as hostile, in this order, and stops at the first
refusal: size of the upload; a zip at all; exactly one entry with a plain
file name (no folders, no ``..``, no absolute path); declared size and
compression ratio; the share code (a wrong one is the caller's to count);
the bytes actually inflated, read with a cap whatever the header claims; XML
without DTDs or entities; an enveloped XMLDSig signature (RSA-SHA256, or
RSA-SHA1 as older UIDAI files use) verified against the configured UIDAI
certificate, and only the signed element read after that; the file's age.
"""

from __future__ import annotations

import io
import re
import zlib
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pyzipper
from cryptography import x509
from django.conf import settings
from django.utils import timezone
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

from himaccess.kyc.providers import Demographics, ProviderError, demographics
from himaccess.kyc.providers.xml_reading import UnreadableXml, local_name, parse

IST = ZoneInfo("Asia/Kolkata")
DSIG = "{http://www.w3.org/2000/09/xmldsig#}"
_REFERENCE_ID = re.compile(r"^([0-9]{4})([0-9]{17})$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.xml$")
# A genuine file compresses its base64 photo and XML a few times over; far more is a bomb.
MAX_RATIO = 50
# How far in the future a file's time may be (clocks differ).
FUTURE_SLACK = timedelta(minutes=10)

_CONFIG = SignatureConfiguration(
    require_x509=True,
    location="./",
    expect_references=1,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA1}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA1}),
)


@lru_cache(maxsize=4)
def _certificate(path: str) -> x509.Certificate:
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def uidai_certificate() -> x509.Certificate:
    path = settings.KYC_OFFLINE_UIDAI_CERT_FILE
    if not path or not Path(path).is_file():
        raise ProviderError("not_configured")
    return _certificate(path)


def _entry(archive: pyzipper.AESZipFile) -> pyzipper.ZipInfo:
    entries = archive.infolist()
    if len(entries) != 1:
        raise ProviderError("zip_names")
    entry = entries[0]
    name = entry.filename
    if entry.is_dir() or not _SAFE_NAME.match(name) or ".." in name:
        raise ProviderError("zip_names")
    if entry.file_size > settings.KYC_OFFLINE_MAX_XML_BYTES:
        raise ProviderError("zip_bomb")
    if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
        raise ProviderError("zip_bomb")
    if not entry.flag_bits & 0x1:
        raise ProviderError("zip_invalid")  # UIDAI's file is always locked with the share code
    return entry


def _inflate(archive: pyzipper.AESZipFile, entry: pyzipper.ZipInfo, share_code: str) -> bytes:
    limit = settings.KYC_OFFLINE_MAX_XML_BYTES
    try:
        with archive.open(entry, pwd=share_code.encode("utf-8")) as handle:
            data = handle.read(limit + 1)
    except RuntimeError:  # pyzipper's "Bad password"
        raise ProviderError("share_code") from None
    except (pyzipper.BadZipFile, zlib.error, EOFError, ValueError):
        # A wrong code passes the traditional encryption's one-byte check 1 time in 256 and
        # then inflates garbage: a bad CRC or stream is a wrong code as far as anyone can tell.
        raise ProviderError("share_code") from None
    if len(data) > limit:
        raise ProviderError("zip_bomb")
    return data


def _unzipped(upload: bytes, share_code: str) -> bytes:
    if len(upload) > settings.KYC_OFFLINE_MAX_UPLOAD_BYTES:
        raise ProviderError("zip_too_large")
    try:
        archive = pyzipper.AESZipFile(io.BytesIO(upload))
    except (pyzipper.BadZipFile, ValueError, EOFError, NotImplementedError):
        raise ProviderError("zip_invalid") from None
    with archive:
        entry = _entry(archive)
        try:
            return _inflate(archive, entry, share_code)
        except NotImplementedError:  # a compression method nobody's offline file uses
            raise ProviderError("zip_invalid") from None


def _signed_root(data: bytes) -> etree._Element:
    try:
        root = parse(data)
    except UnreadableXml:
        raise ProviderError("xml_invalid") from None
    if local_name(root) != "OfflinePaperlessKyc":
        raise ProviderError("xml_invalid")
    if root.find(f"{DSIG}Signature") is None:
        raise ProviderError("unsigned")
    try:
        result = XMLVerifier().verify(root, x509_cert=uidai_certificate(), expect_config=_CONFIG)
    except (InvalidSignature, InvalidInput):
        raise ProviderError("bad_signature") from None
    signed = result.signed_xml  # type: ignore[union-attr]
    if signed is None or local_name(signed) != "OfflinePaperlessKyc":
        raise ProviderError("bad_signature")
    return signed


def _made_at(reference_id: str) -> tuple[str, datetime]:
    match = _REFERENCE_ID.match(reference_id)
    if match is None:
        raise ProviderError("xml_invalid")
    stamp = match.group(2)
    try:
        made = datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=IST)
    except ValueError:
        raise ProviderError("xml_invalid") from None
    return match.group(1), made


def read(upload: bytes, share_code: str) -> Demographics:
    """The demographics in a resident's offline e-KYC zip, or ``ProviderError`` naming what is wrong."""
    uidai_certificate()  # refuse at once on a site without the certificate
    root = _signed_root(_unzipped(upload, share_code))
    last4, made = _made_at(root.get("referenceId", ""))
    now = timezone.now()
    if made > now + FUTURE_SLACK:
        raise ProviderError("future")
    if now - made > timedelta(days=settings.KYC_OFFLINE_MAX_AGE_DAYS):
        raise ProviderError("expired", days=settings.KYC_OFFLINE_MAX_AGE_DAYS)
    poi = root.find("UidData/Poi")
    if poi is None:
        raise ProviderError("xml_invalid")
    try:
        return demographics(
            poi.get("name", ""),
            poi.get("dob", ""),
            poi.get("gender", ""),
            last4=last4,
            reference=made.strftime("offline %Y-%m-%d %H:%M"),
        )
    except ProviderError:
        raise ProviderError("xml_invalid") from None
