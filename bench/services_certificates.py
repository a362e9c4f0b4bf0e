"""Certificate PDFs per second: statement, Ed25519-signed QR statement and the bilingual A4 PDF.

Approves ``--count`` character-certificate applications through the real
actions (on a fresh SQLite database, or DATABASE_URL), then renders each
certificate's PDF as the download view does, one after another in this
process, and prints p50/p95 per certificate and certificates per second.
The first render (font loading) is reported apart.

    .venv/bin/python bench/services_certificates.py [--count 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="himseva-certs-")
    os.environ["HIMACCESS_DATA_DIR"] = workdir
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
    # One bench citizen files every application: far more than a person's daily allowance.
    os.environ["SERVICES_DRAFTS_PER_DAY"] = os.environ["SERVICES_SUBMISSIONS_PER_DAY"] = "1000"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.SMS_BACKEND = "file"
    call_command("migrate", verbosity=0)
    from himaccess.accounts.models import Level, Posting, Role, User
    from himaccess.applications import certificates, pdf
    from himaccess.applications.actions import decisions, drafts, filing
    from himaccess.applications.models import Certificate
    from himaccess.catalog.models import Service
    from himaccess.geography.loading import load_reference_geography
    from himaccess.geography.models import District, Tehsil, Village
    from himaccess.registry.actions import families, members
    from himaccess.registry.models import Gender, Relation, Source

    if not District.objects.exists():
        load_reference_geography()
    district = District.objects.get(pk=22)
    village = Village.objects.filter(district=district, pincode="175001").order_by("name_en").first()
    citizen = User.objects.create_user(username=f"cert-bench-{time.time_ns()}", kind=User.Kind.CITIZEN)
    patwari = User.objects.create_user(username=f"cert-patwari-{time.time_ns()}", kind=User.Kind.OFFICIAL)
    tehsildar = User.objects.create_user(username=f"cert-tehsildar-{time.time_ns()}", kind=User.Kind.OFFICIAL)
    Posting.objects.create(user=patwari, role=Role.PATWARI, level=Level.TEHSIL, tehsil_id=133)
    Posting.objects.create(user=tehsildar, role=Role.TEHSILDAR, level=Level.TEHSIL, tehsil_id=133)
    service = Service.objects.get(code="CERT-05")
    started = time.perf_counter()
    made = []
    for i in range(args.count):
        family = families.register_family(
            families.Address(
                district=district,
                tehsil=Tehsil.objects.get(pk=133),
                village=village,
                pincode="175001",
                house=str(i),
            ),
            members.NewMember(
                name_en="Dharmendra Bhardwaj",
                name_hi="धर्मेंद्र भारद्वाज",
                gender=Gender.MALE,
                date_of_birth=date(1990, 5, 17),
                relation=Relation.HEAD,
                mobile=f"92{i:08d}",
            ),
            acting_user=None,
            source=Source.PANCHAYAT,
        )
        member = family.head()
        assert member is not None
        application = drafts.start_draft(service, member, acting_user=citizen)
        application = filing.submit(
            application,
            {**application.answers, "relative_name": "Shri Krishan Chand", "purpose": "Admission"},
            {},
            acting_user=citizen,
        )
        application = decisions.act(
            application, "verify", acting_user=patwari, expected_version=application.version
        )
        t0 = time.perf_counter()
        decisions.act(application, "approve", acting_user=tehsildar, expected_version=application.version)
        made.append(time.perf_counter() - t0)
    print(
        f"approved {args.count} applications in {time.perf_counter() - started:.1f} s "
        f"(approval with signing: p50 {statistics.median(made) * 1000:.1f} ms)"
    )
    certificates_ = list(Certificate.objects.select_related("application").order_by("-id")[: args.count])
    t0 = time.perf_counter()
    first = pdf.certificate_pdf(certificates_[0], certificates.verification_url(certificates_[0].token))
    cold = time.perf_counter() - t0
    timings = []
    size = 0
    started = time.perf_counter()
    for certificate in certificates_:
        t0 = time.perf_counter()
        content = pdf.certificate_pdf(certificate, certificates.verification_url(certificate.token))
        timings.append(time.perf_counter() - t0)
        size += len(content)
    elapsed = time.perf_counter() - started
    timings.sort()
    print(f"first certificate (fonts loading): {cold * 1000:.0f} ms, {len(first)} bytes")
    print(
        f"certificate PDF: p50 {statistics.median(timings) * 1000:.1f} ms  "
        f"p95 {timings[int(len(timings) * 0.95)] * 1000:.1f} ms  "
        f"{len(timings) / elapsed:.1f} certificates/s (one process), mean size {size // len(timings)} bytes"
    )


if __name__ == "__main__":
    main()
