"""Importing gram panchayats and villages from LGD's own downloads.

LGD (https://lgdirectory.gov.in/downloadDirectory.do) publishes, among others:

* "All PRI Local Bodies of India": one row per district panchayat, block
  (intermediate) panchayat and gram (village) panchayat, with columns
  ``Local Body Code, Local Body Version, Local Body Name (In English),
  Local Body Name (In Local), Local Body Type Code, Local Body Type Name,
  Intermediate/Block Panchayat Code, District Panchayat Code, State Code,
  State Name (In English)``.
* "All Villages of India": ``State Code, State Name (In English), District
  Code, District Name (In English), Sub-District Code, Sub-District Name (In
  English), Village Code, Village Version, Village Name (In English), Village
  Name (In Local), Village Category, Village Status, Census 2001 Code, Census
  2011 Code`` (some downloads add ``S.No.``, ``Remark`` or a gram panchayat's
  ``Local Body Code``).

Headers are matched ignoring case, spaces and punctuation, since LGD spells
them inconsistently ("Sub-District Code", "Subdistrict Code", "(IN English)").
Rows of other states are skipped. Every row is validated first; if any is
invalid nothing is written, unless the caller asks to skip invalid rows.
The all-India files run to hundreds of thousands of lines: reading and
writing show their progress on the caller's stream.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from himaccess.geography import places
from himaccess.geography.loading import is_devanagari, title_case
from himaccess.geography.models import Block, District, Panchayat, Tehsil, Village
from himaccess.lib.progress import NOWHERE, Progress
from himaccess.lib.transliteration import to_devanagari

HIMACHAL_STATE_CODE = "2"

# LGD's PRI local body type codes (its "Local Body Type" master), used only
# when a file has no type name column.
_PRI_TYPE_CODES = {"1": "district", "2": "intermediate", "3": "village"}


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return _("%(file)s line %(line)s: %(reason)s") % {
            "file": self.file,
            "line": self.line,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    panchayats_created: int = 0
    panchayats_updated: int = 0
    villages_created: int = 0
    villages_updated: int = 0
    other_state_rows: int = 0
    stand_ins_superseded: int = 0
    errors: list[RowError] = field(default_factory=list)


class ImportRejected(Exception):
    """Some rows are invalid and the caller did not ask to skip them; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = errors


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower().replace("&", "and"))


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]

    def get(self, *names: str) -> str:
        for name in names:
            if self.values.get(name):
                return self.values[name]
        return ""


def _line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _rows(path: Path, required: set[str], stream: object = NOWHERE) -> Iterator[_Row]:
    """Rows keyed by normalised header; the header is the first line holding every required column.

    LGD's downloads may open with a title line above the header.
    """
    label = _("Lines read from %(file)s") % {"file": path.name}
    with (
        path.open(encoding="utf-8-sig", newline="") as handle,
        Progress(label, _line_count(path), stream=stream) as progress,
    ):
        reader = csv.reader(handle)
        header: list[str] | None = None
        for cells in reader:
            progress.advance(reader.line_num - progress.done)
            if header is None:
                normal = [_normal(cell) for cell in cells]
                if required <= set(normal):
                    header = normal
                continue
            if not any(cell.strip() for cell in cells):
                continue
            yield _Row(reader.line_num, {h: c.strip() for h, c in zip(header, cells, strict=False) if h})
        if header is None:
            raise ImportRejected(
                [
                    RowError(
                        path.name,
                        0,
                        _("no header line with the columns %(columns)s")
                        % {"columns": ", ".join(sorted(required))},
                    )
                ]
            )


def _code(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) > 0 else None


def _hindi(local: str, english: str) -> str:
    return local if is_devanagari(local) else to_devanagari(english)


def _pri_level(row: _Row) -> str | None:
    name = row.get("localbodytypename").lower()
    if "district" in name or "zila" in name:
        return "district"
    if "intermediate" in name or "block" in name or "samiti" in name:
        return "intermediate"
    if "village" in name or "gram" in name:
        return "village"
    return _PRI_TYPE_CODES.get(row.get("localbodytypecode"))


def _read_panchayats(
    path: Path, report: ImportReport, stream: object = NOWHERE
) -> tuple[list[Panchayat], list[RowError]]:
    """Gram panchayats, each placed in a district through its district panchayat's name."""
    required = {"localbodycode", "localbodynameinenglish", "districtpanchayatcode"}
    districts = {_name_key(d.name_en): d.pk for d in District.objects.all()}
    # LGD and the Census spell this district both ways.
    districts.setdefault("lahaulandspiti", districts.get("lahulandspiti", 0))
    blocks = {(b.district_id, _name_key(b.name_en)): b.pk for b in Block.objects.all()}

    every_row = list(_rows(path, required, stream))
    rows = [r for r in every_row if r.get("statecode") in ("", HIMACHAL_STATE_CODE)]
    report.other_state_rows += len(every_row) - len(rows)
    district_of_panchayat: dict[str, int] = {}
    name_of_intermediate: dict[str, str] = {}
    for row in rows:
        level = _pri_level(row)
        name = row.get("localbodynameinenglish")
        if level == "district" and _name_key(name) in districts:
            district_of_panchayat[row.get("localbodycode")] = districts[_name_key(name)]
        elif level == "intermediate":
            name_of_intermediate[row.get("localbodycode")] = name

    panchayats: list[Panchayat] = []
    errors: list[RowError] = []
    seen: set[int] = set()
    for row in rows:
        level = _pri_level(row)
        if level in ("district", "intermediate"):
            continue
        error = _check_panchayat(row, level, seen, district_of_panchayat, set(districts.values()))
        if error:
            errors.append(RowError(path.name, row.line, error))
            continue
        code = int(row.get("localbodycode"))
        seen.add(code)
        district = _code(row.get("districtcode")) or district_of_panchayat[row.get("districtpanchayatcode")]
        block_name = name_of_intermediate.get(row.get("intermediateblockpanchayatcode"), "")
        english = title_case(row.get("localbodynameinenglish"))
        panchayats.append(
            Panchayat(
                lgd_code=code,
                district_id=district,
                block_id=blocks.get((district, _name_key(block_name))),
                name_en=english,
                name_hi=_hindi(row.get("localbodynameinlocal"), english),
            )
        )
    return panchayats, errors


def _check_panchayat(
    row: _Row,
    level: str | None,
    seen: set[int],
    district_of_panchayat: dict[str, int],
    district_codes: set[int],
) -> str | None:
    code = _code(row.get("localbodycode"))
    if level is None:
        return _("unknown local body type %(type)s") % {
            "type": row.get("localbodytypename") or row.get("localbodytypecode") or "-"
        }
    if code is None:
        return _("local body code %(code)s is not a positive number") % {
            "code": row.get("localbodycode") or "-"
        }
    if code in seen:
        return _("local body code %(code)s appears twice") % {"code": code}
    if not row.get("localbodynameinenglish"):
        return _("the English name is empty")
    explicit = _code(row.get("districtcode"))
    if explicit is not None:
        return (
            None
            if explicit in district_codes
            else _("no district has LGD code %(code)s") % {"code": explicit}
        )
    if row.get("districtpanchayatcode") not in district_of_panchayat:
        return _("district panchayat %(code)s is not a Himachal district panchayat in this file") % {
            "code": row.get("districtpanchayatcode") or "-"
        }
    return None


def _read_villages(
    path: Path, report: ImportReport, panchayat_codes: set[int], stream: object = NOWHERE
) -> tuple[list[Village], list[RowError]]:
    required = {"villagecode", "villagenameinenglish", "districtcode", "subdistrictcode"}
    district_codes = set(District.objects.values_list("pk", flat=True))
    tehsil_district = dict(Tehsil.objects.values_list("pk", "district_id"))
    villages: list[Village] = []
    errors: list[RowError] = []
    seen: set[int] = set()
    for row in _rows(path, required, stream):
        if row.get("statecode") not in ("", HIMACHAL_STATE_CODE):
            report.other_state_rows += 1
            continue
        code, district, tehsil = (
            _code(row.get("villagecode")),
            _code(row.get("districtcode")),
            _code(row.get("subdistrictcode")),
        )
        panchayat = _code(row.get("localbodycode", "grampanchayatcode", "villagepanchayatcode"))
        reason = None
        if code is None:
            reason = _("village code %(code)s is not a positive number") % {
                "code": row.get("villagecode") or "-"
            }
        elif code in seen:
            reason = _("village code %(code)s appears twice") % {"code": code}
        elif not row.get("villagenameinenglish"):
            reason = _("the English name is empty")
        elif district not in district_codes:
            reason = _("no district has LGD code %(code)s") % {"code": row.get("districtcode") or "-"}
        elif tehsil_district.get(tehsil or 0) != district:
            reason = _("sub-district %(tehsil)s is not in district %(district)s") % {
                "tehsil": row.get("subdistrictcode") or "-",
                "district": district,
            }
        elif panchayat is not None and panchayat not in panchayat_codes:
            reason = _("no gram panchayat has LGD code %(code)s") % {"code": panchayat}
        if reason:
            errors.append(RowError(path.name, row.line, reason))
            continue
        assert code is not None and district is not None
        seen.add(code)
        english = title_case(row.get("villagenameinenglish"))
        villages.append(
            Village(
                lgd_code=code,
                district_id=district,
                tehsil_id=tehsil,
                panchayat_id=panchayat,
                name_en=english,
                name_hi=_hindi(row.get("villagenameinlocal"), english),
                source=Village.Source.LGD,
            )
        )
    return villages, errors


# Rows per write: the bar moves between them.
WRITE_CHUNK = 5000


def _upsert(
    model: type[Panchayat] | type[Village], rows: list[Any], fields: list[str], label: str, stream: object
) -> None:
    with Progress(label, len(rows), stream=stream) as progress:
        for start in range(0, len(rows), WRITE_CHUNK):
            chunk = rows[start : start + WRITE_CHUNK]
            model.objects.bulk_create(
                chunk, update_conflicts=True, unique_fields=["lgd_code"], update_fields=fields, batch_size=500
            )
            progress.advance(len(chunk))


@transaction.atomic
def import_lgd(
    *,
    panchayats: Path | None = None,
    villages: Path | None = None,
    skip_invalid: bool = False,
    stream: object = NOWHERE,
) -> ImportReport:
    """Import LGD gram panchayats and/or villages of Himachal Pradesh.

    1. Read and validate every row of both files (panchayats first, so villages
       may name the gram panchayats being imported).
    2. If a row is invalid and ``skip_invalid`` is false, raise ``ImportRejected``
       with every error; nothing is written.
    3. Create or update panchayats and villages by LGD code.
    4. Mark the post-office stand-in villages of each district that now has LGD
       villages as superseded: they stay (families may point at them) but are no
       longer offered.

    Progress of reading and writing goes to ``stream``.
    """
    report = ImportReport()
    new_panchayats: list[Panchayat] = []
    new_villages: list[Village] = []
    if panchayats is not None:
        new_panchayats, errors = _read_panchayats(panchayats, report, stream)
        report.errors.extend(errors)
    if villages is not None:
        known = set(Panchayat.objects.values_list("pk", flat=True)) | {p.lgd_code for p in new_panchayats}
        new_villages, errors = _read_villages(villages, report, known, stream)
        report.errors.extend(errors)
    if report.errors and not skip_invalid:
        raise ImportRejected(report.errors)

    existing_panchayats = set(
        Panchayat.objects.filter(pk__in=[p.lgd_code for p in new_panchayats]).values_list("pk", flat=True)
    )
    _upsert(
        Panchayat,
        new_panchayats,
        ["name_en", "name_hi", "district", "block"],
        _("Panchayats written"),
        stream,
    )
    report.panchayats_updated = len(existing_panchayats)
    report.panchayats_created = len(new_panchayats) - len(existing_panchayats)

    codes = {v.lgd_code for v in new_villages}
    existing_villages = codes & set(Village.objects.exclude(lgd_code=None).values_list("lgd_code", flat=True))
    _upsert(
        Village,
        new_villages,
        ["name_en", "name_hi", "district", "tehsil", "panchayat", "source"],
        _("Villages written"),
        stream,
    )
    report.villages_updated = len(existing_villages)
    report.villages_created = len(new_villages) - len(existing_villages)

    covered = {v.district_id for v in new_villages}
    report.stand_ins_superseded = Village.objects.filter(
        source=Village.Source.POST_OFFICE, district_id__in=covered, superseded=False
    ).update(superseded=True)
    # Written in bulk, which sends no signal: this process reads the places afresh.
    places.forget()
    return report
