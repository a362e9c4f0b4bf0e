"""Fixtures of the e-KYC tests: the shared personas, UIDAI's simulator, and UIDAI-like offline files.

- Lalit Sharma: Lok Mitra Kendra operator of the centre for Mandi tehsil (Asha's and Karan's
  families are in its area, Kangra's are not).
- Neha: state administrator (sees the whole campaign).
- The simulator knows Asha, Ravi and Karan by their (made-up) Aadhaar numbers as the register
  does; Pushpa (Kangra) has an Aadhaar without a linked mobile.
- ``uidai`` makes a CA and a signing certificate in the test's folder, configured as UIDAI's; its
  ``offline_zip`` builds signed, share-code-locked files (and broken ones).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pyzipper
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from lxml import etree
from signxml import XMLSigner

from himaccess.accounts.models import Level, Role, User
from himaccess.conftest import MANDI_TEHSIL, Personas, make_official
from himaccess.kyc.providers import simulator
from himaccess.notifications import sms
from himaccess.vault.tests.numbers import ASHA, KARAN, RAVI, aadhaar

PUSHPA = aadhaar("56789012345")
IST = ZoneInfo("Asia/Kolkata")
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> Iterator[list[sms.OutgoingSms]]:
    settings.SMS_BACKEND = "memory"
    settings.KYC_AGENCY_URL = ""
    sms.outbox.clear()
    simulator.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
    simulator.outbox.clear()


@pytest.fixture
def residents(personas: Personas) -> None:
    """UIDAI's records of the personas (the simulator stands in for UIDAI)."""
    simulator.enrol(ASHA, name="Asha Devi", dob="12-04-1978", gender="F")
    simulator.enrol(RAVI, name="रवि कुमार", dob="03-09-2001", gender="M")
    simulator.enrol(KARAN, name="Karan Thakur", dob="1985", gender="M")
    simulator.enrol(PUSHPA, name="Pushpa Katoch", dob="01-06-1960", gender="F", mobile_linked=False)


@pytest.fixture
def lalit(personas: Personas) -> User:
    operator = make_official("lalit", Role.LOK_MITRA_OPERATOR, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    operator.first_name, operator.last_name = "Lalit", "Sharma"
    operator.save(update_fields=["first_name", "last_name"])
    return operator


@pytest.fixture
def neha(personas: Personas) -> User:
    return make_official("neha", Role.STATE_ADMIN, Level.STATE)


def code_in_sms(mobile: str) -> str:
    for message in reversed(sms.outbox):
        if message.to == mobile:
            found = _CODE.search(message.text)
            if found:
                return found.group(1)
    raise AssertionError(f"no code went to {mobile}")


@dataclass
class Journey:
    """One person's browser going through e-KYC of one member, page by page."""

    client: Client
    member_id: str
    capture: Callable[..., Any]

    def consent(self, mobile: str) -> Any:
        with self.capture(execute=True):
            sent = self.client.post(f"/kyc/members/{self.member_id}/consent/", {"send": "1"})
        assert sent.status_code == 200, sent.content[:400]
        return self.client.post(f"/kyc/members/{self.member_id}/consent/", {"code": code_in_sms(mobile)})

    def aadhaar(self, number: str) -> Any:
        return self.client.post(
            f"/kyc/members/{self.member_id}/verify/", {"step": "aadhaar", "aadhaar": number}
        )

    def uidai_otp(self, otp: str | None = None) -> Any:
        value = otp if otp is not None else simulator.outbox[-1].otp
        return self.client.post(f"/kyc/members/{self.member_id}/verify/", {"step": "otp", "otp": value})

    def offline(self, data: bytes, share_code: str) -> Any:
        upload = io.BytesIO(data)
        upload.name = "offlineaadhaar20261202101010123.zip"
        return self.client.post(
            f"/kyc/members/{self.member_id}/verify/",
            {"step": "offline", "file": upload, "share_code": share_code},
        )


@pytest.fixture
def journey(django_capture_on_commit_callbacks: Any) -> Callable[[Client, str], Journey]:
    def start(client: Client, member_id: str) -> Journey:
        return Journey(client=client, member_id=member_id, capture=django_capture_on_commit_callbacks)

    return start


# ------------------------------------------------------------------ UIDAI-like offline files


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(
    subject: str, key: rsa.RSAPrivateKey, issuer: str, issuer_key: rsa.RSAPrivateKey
) -> x509.Certificate:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=subject == issuer, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


class LegacySigner(XMLSigner):
    """Signs with RSA-SHA1 as UIDAI's older offline files are signed (signxml refuses it by default)."""

    def check_deprecated_methods(self) -> None:
        return None


@dataclass
class Uidai:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def xml(
        self, *, name: str, dob: str, gender: str, last4: str, made: datetime | None = None
    ) -> etree._Element:
        made = (made or datetime.now(IST)).astimezone(IST)
        root = etree.Element("OfflinePaperlessKyc", referenceId=f"{last4}{made:%Y%m%d%H%M%S}123")
        uid = etree.SubElement(root, "UidData")
        etree.SubElement(uid, "Poi", dob=dob, e="", gender=gender, m="", name=name)
        etree.SubElement(
            uid,
            "Poa",
            careof="",
            country="India",
            dist="Mandi",
            house="12",
            pc="175001",
            state="Himachal Pradesh",
            vtc="Bhiuli",
        )
        etree.SubElement(uid, "Pht").text = "aGVsbG8="
        return root

    def sign(
        self,
        root: etree._Element,
        *,
        algorithm: str = "rsa-sha256",
        key: rsa.RSAPrivateKey | None = None,
        cert: x509.Certificate | None = None,
    ) -> bytes:
        digest = "sha1" if algorithm == "rsa-sha1" else "sha256"
        signer = (LegacySigner if algorithm == "rsa-sha1" else XMLSigner)(
            signature_algorithm=algorithm, digest_algorithm=digest
        )
        signed = signer.sign(
            root,
            key=(key or self.key).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
            cert=(cert or self.cert).public_bytes(serialization.Encoding.PEM).decode(),
        )
        return etree.tostring(signed)

    def offline_zip(
        self, xml: bytes, share_code: str, *, name: str = "offlineaadhaar20261202101010123.xml"
    ) -> bytes:
        return zipped({name: xml}, share_code)

    def signed_zip(self, share_code: str = "Ab12", **fields: Any) -> bytes:
        return self.offline_zip(self.sign(self.xml(**fields)), share_code)


def zipped(
    files: dict[str, bytes], share_code: str | None, *, compression: int = pyzipper.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    encryption = pyzipper.WZ_AES if share_code is not None else None
    with pyzipper.AESZipFile(buffer, "w", compression=compression, encryption=encryption) as archive:
        if share_code is not None:
            archive.setpassword(share_code.encode())
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def _uidai_keys() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, _certificate("UIDAI offline e-KYC (test)", key, "Test CA", ca_key)


@pytest.fixture
def uidai(settings: Any, tmp_path: Path, _uidai_keys: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> Uidai:
    key, cert = _uidai_keys
    path = tmp_path / "uidai-offline.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    settings.KYC_OFFLINE_UIDAI_CERT_FILE = str(path)
    return Uidai(key=key, cert=cert)


@pytest.fixture
def stranger_key() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A key and certificate that are not UIDAI's."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, _certificate("Not UIDAI", key, "Other CA", ca_key)
