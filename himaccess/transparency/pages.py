"""What a figures page shows: each figure as a chart and, next to it, the same numbers as a table.

A ``Figure`` is built in the reader's language (the chart's labels, the
table's headings, numbers written with the page's separators), so the
rendered parts are cached per language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from himaccess.lib.charts import Series, bar_chart, format_number
from himaccess.transparency import figures
from himaccess.transparency.figures import ApplicationCounts, ComplaintCounts, RegisterCounts, SchemeCounts

Row = TypeVar("Row")


@dataclass(frozen=True)
class Figure:
    """One chart and its table; each row is a label and its cells as (column heading, text written out)."""

    anchor: str
    title: str
    summary: str
    chart: SafeString
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{format_number(value)}%"


def _figure(
    anchor: str,
    title: str,
    summary: str,
    label_heading: str,
    rows: Sequence[Row],
    label: Callable[[Row], str],
    columns: Sequence[tuple[str, Callable[[Row], str]]],
    series: Sequence[tuple[str, Callable[[Row], int]]],
    *,
    stacked: bool = False,
) -> Figure:
    labels = [label(row) for row in rows]
    chart = bar_chart(
        title=title,
        description=summary,
        labels=labels,
        series=[Series(name, [value(row) for row in rows]) for name, value in series],
        stacked=stacked,
        ident=anchor,
    )
    return Figure(
        anchor=anchor,
        title=title,
        summary=summary,
        chart=chart,
        columns=(label_heading, *(heading for heading, _cell in columns)),
        rows=tuple(
            (name, tuple((heading, cell(row)) for heading, cell in columns))
            for name, row in zip(labels, rows, strict=True)
        ),
    )


def _n(value: int) -> str:
    return format_number(value)


# ----------------------------------------------------------------- complaints


def complaint_weeks(weeks: list[figures.Week]) -> Figure:
    return _figure(
        "by-week",
        _("Complaints received and resolved, week by week"),
        _("The last 12 weeks, each from Monday; the table below gives the same figures."),
        _("Week starting"),
        weeks,
        lambda w: date_format(w.starts, "j M Y"),
        [(_("Received"), lambda w: _n(w.received)), (_("Resolved"), lambda w: _n(w.resolved))],
        [(_("Received"), lambda w: w.received), (_("Resolved"), lambda w: w.resolved)],
    )


def _complaint_columns() -> list[tuple[str, Callable[[ComplaintCounts], str]]]:
    return [
        (_("Received"), lambda c: _n(c.received)),
        (_("Resolved"), lambda c: _n(c.resolved)),
        (_("Resolved within the time limit"), lambda c: _n(c.in_time)),
        (_("Share resolved within the time limit"), lambda c: percent(c.in_time_share)),
        (_("Reopened"), lambda c: _n(c.reopened)),
        (_("Overdue now"), lambda c: _n(c.overdue)),
    ]


def _complaint_series() -> list[tuple[str, Callable[[ComplaintCounts], int]]]:
    return [(_("Received"), lambda c: c.received), (_("Resolved within the time limit"), lambda c: c.in_time)]


def complaints_by_department(rows: list[ComplaintCounts]) -> Figure:
    return _figure(
        "by-department",
        _("Complaints by department"),
        _("Complaints received by each department, and how many it resolved within the time limit."),
        _("Department"),
        rows,
        lambda c: c.label,
        _complaint_columns(),
        _complaint_series(),
    )


def complaints_by_district(rows: list[ComplaintCounts]) -> Figure:
    return _figure(
        "by-district",
        _("Complaints by district"),
        _("Complaints received from each district, and how many were resolved within the time limit."),
        _("District"),
        rows,
        lambda c: c.label,
        _complaint_columns(),
        _complaint_series(),
    )


# --------------------------------------------------------------- applications


def _application_columns() -> list[tuple[str, Callable[[ApplicationCounts], str]]]:
    return [
        (_("Received"), lambda a: _n(a.received)),
        (_("Decided"), lambda a: _n(a.decided)),
        (_("Decided within the time limit"), lambda a: _n(a.in_time)),
        (_("Decided late"), lambda a: _n(a.late)),
        (_("Share decided within the time limit"), lambda a: percent(a.in_time_share)),
        (_("Overdue now"), lambda a: _n(a.overdue)),
    ]


def _application_series() -> list[tuple[str, Callable[[ApplicationCounts], int]]]:
    return [
        (_("Decided within the time limit"), lambda a: a.in_time),
        (_("Decided late"), lambda a: a.late),
    ]


def applications_by_service(rows: list[ApplicationCounts]) -> Figure:
    return _figure(
        "by-service",
        _("Applications by service"),
        _("Applications decided within the time limit and decided late, for each service."),
        _("Service"),
        rows,
        lambda a: a.label,
        _application_columns(),
        _application_series(),
        stacked=True,
    )


def applications_by_district(rows: list[ApplicationCounts]) -> Figure:
    return _figure(
        "by-district",
        _("Applications by district"),
        _("Applications decided within the time limit and decided late, for each district."),
        _("District"),
        rows,
        lambda a: a.label,
        _application_columns(),
        _application_series(),
        stacked=True,
    )


# -------------------------------------------------------------------- schemes


def _scheme_columns() -> list[tuple[str, Callable[[SchemeCounts], str]]]:
    return [
        (_("Eligible"), lambda s: _n(s.eligible)),
        (_("Applied, awaiting sanction"), lambda s: _n(s.applied)),
        (_("Enrolled"), lambda s: _n(s.enrolled)),
    ]


def _scheme_series() -> list[tuple[str, Callable[[SchemeCounts], int]]]:
    return [(_("Eligible"), lambda s: s.eligible), (_("Enrolled"), lambda s: s.enrolled)]


def schemes_by_district(rows: list[SchemeCounts]) -> Figure:
    return _figure(
        "by-district",
        _("Eligible and enrolled, by district"),
        _("People the rules find eligible for a scheme, and people enrolled in it, in each district."),
        _("District"),
        rows,
        lambda s: s.label,
        _scheme_columns(),
        _scheme_series(),
    )


def schemes_by_scheme(rows: list[SchemeCounts]) -> Figure:
    return _figure(
        "by-scheme",
        _("Eligible and enrolled, by scheme"),
        _("People the rules find eligible for each scheme, and people enrolled in it."),
        _("Scheme"),
        rows,
        lambda s: s.label,
        _scheme_columns(),
        _scheme_series(),
    )


# ------------------------------------------------------------------- register


def register_by_district(rows: list[RegisterCounts]) -> Figure:
    return _figure(
        "by-district",
        _("Families, members and cards, by district"),
        _("Families on the register in each district, and the family cards issued to them."),
        _("District"),
        rows,
        lambda r: r.label,
        [
            (_("Families"), lambda r: _n(r.families)),
            (_("Members"), lambda r: _n(r.members)),
            (_("Family cards"), lambda r: _n(r.family_cards)),
            (_("Member cards"), lambda r: _n(r.member_cards)),
        ],
        [(_("Families"), lambda r: r.families), (_("Family cards"), lambda r: r.family_cards)],
    )
