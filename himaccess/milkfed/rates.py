"""The rates in force on a day, and the price of one delivery under them.

The price rule (docs/decisions/1201): a litre is paid the state's support
price for its animal, plus (or less) the quality rule's paise for each full
0.1 point of fat and of SNF above (or below) the standard, plus the transport
subsidy. Deviations count whole 0.1 steps toward zero (4.37% fat against 3.50%
is 8 steps up). Sums are rounded to paise once, per statement line, never per
delivery. ``statements.py`` does the same in SQL; ``price`` is the same rule
for one delivery, for pages and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from himaccess.milkfed.models import PriceRate, QualityRule, SubsidyRate


def price_on(animal: str, on: date) -> PriceRate | None:
    return PriceRate.objects.filter(animal=animal, valid_from__lte=on).order_by("-valid_from").first()


def quality_on(animal: str, on: date) -> QualityRule | None:
    return QualityRule.objects.filter(animal=animal, valid_from__lte=on).order_by("-valid_from").first()


def subsidy_on(on: date) -> SubsidyRate | None:
    return SubsidyRate.objects.filter(valid_from__lte=on).order_by("-valid_from").first()


def steps(value_x100: int, standard_x100: int) -> int:
    """Whole 0.1 steps from the standard, toward zero (as SQL's integer division)."""
    difference = value_x100 - standard_x100
    return difference // 10 if difference >= 0 else -((-difference) // 10)


def round_hundredths(value: int) -> int:
    """An amount in hundredths of a paisa to paise, half away from zero (as the statement SQL)."""
    return (value + 50) // 100 if value >= 0 else -((-value + 50) // 100)


@dataclass(frozen=True)
class Priced:
    base_paise: int
    quality_paise: int
    subsidy_paise: int

    @property
    def total_paise(self) -> int:
        return self.base_paise + self.quality_paise + self.subsidy_paise


def price(animal: str, on: date, litres_x100: int, fat_x100: int, snf_x100: int) -> Priced | None:
    """One delivery's pay under the rates in force on ``on``; None if no support price is in force."""
    msp = price_on(animal, on)
    if msp is None:
        return None
    rule = quality_on(animal, on)
    subsidy = subsidy_on(on)
    per_litre_quality = 0
    if rule is not None:
        per_litre_quality = (
            steps(fat_x100, rule.standard_fat) * rule.fat_paise_per_step
            + steps(snf_x100, rule.standard_snf) * rule.snf_paise_per_step
        )
    return Priced(
        base_paise=round_hundredths(litres_x100 * msp.paise_per_litre),
        quality_paise=round_hundredths(litres_x100 * per_litre_quality),
        subsidy_paise=round_hundredths(litres_x100 * (subsidy.paise_per_litre if subsidy else 0)),
    )
