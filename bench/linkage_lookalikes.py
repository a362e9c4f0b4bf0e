"""Duplicate detection accuracy on a list full of twins, namesakes and re-entered people.

Draws a list with ``registry.synthetic.lookalikes`` (its own generator, not the
population's), trains the model on the list without labels (EM), predicts
pairs through the list check's path (CSV parsing included) and prints
pairwise precision and recall at the threshold, and how many twin and
namesake pairs were wrongly proposed.

``--register-like`` re-enters people as the list of the trained-model check
does (``acceptance.REENTRY``); ``--check`` also scores the trained model on that
check (``acceptance.judge`` against the shipped model). A list with almost no
re-entries trains a weak model (decision 1243):

    .venv/bin/python bench/linkage_lookalikes.py --households 20000 --threshold 0.7
    .venv/bin/python bench/linkage_lookalikes.py --households 20000 --seed 6 --duplicate-share 0.0005 --check
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

import duckdb  # noqa: E402

from himaccess.linkage import acceptance, actions, lists  # noqa: E402
from himaccess.linkage import model as linkage_model  # noqa: E402
from himaccess.registry.synthetic import lookalikes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--duplicate-share", type=float, default=0.08)
    parser.add_argument(
        "--register-like", action="store_true", help="re-enter people as the check's list does"
    )
    parser.add_argument("--check", action="store_true", help="score the trained model on the model check")
    parser.add_argument("--save", help="write the model trained on the list to this JSON file")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()}")

    started = time.perf_counter()
    reentry = acceptance.REENTRY if args.register_like else lookalikes.Reentry()
    data = lookalikes.generate(
        args.households, seed=args.seed, duplicate_share=args.duplicate_share, reentry=reentry
    )
    # The list names its districts by LGD code: no database is needed to read it.
    districts = {str(code): code for code in lookalikes.DISTRICTS}
    read = lists.read_rows(data.rows, districts=districts, today=date.today())
    print(
        f"{len(data.rows)} rows ({len(data.same_person)} duplicate pairs, {len(data.twins)} twin pairs, "
        f"{len(data.namesakes)} namesake pairs) drawn and read in {time.perf_counter() - started:.1f} s; "
        f"{len(read.problems)} rows refused"
    )

    started = time.perf_counter()
    con = duckdb.connect()
    linkage_model.create_table(con, "people", read.records)
    model = linkage_model.train(con, "people")
    con.close()
    if args.save:
        Path(args.save).write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"trained in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    found = {
        (a, b) if a < b else (b, a)
        for a, b, _ in lists.candidate_pairs(read.records, model, threshold=args.threshold)
    }
    elapsed = time.perf_counter() - started
    true_positive = len(found & data.same_person)
    precision = true_positive / len(found) if found else 1.0
    recall = true_positive / len(data.same_person) if data.same_person else 1.0
    print(f"predicted in {elapsed:.1f} s: {len(found)} pairs at p >= {args.threshold}")
    print(f"precision {precision:.4f}  recall {recall:.4f}")
    print(
        f"twin pairs proposed {len(found & data.twins)}/{len(data.twins)}; "
        f"namesake pairs proposed {len(found & data.namesakes)}/{len(data.namesakes)}"
    )
    if args.check:
        shipped = linkage_model.shipped()
        verdict = acceptance.judge(
            model,
            threshold=args.threshold,
            in_force_model=shipped,
            in_force_threshold=actions.DEFAULT_THRESHOLD,
        )
        for name, measured in (("trained", verdict.new), ("shipped", verdict.in_force)):
            print(
                f"check, {name}: {measured.correct}/{measured.planted} planted pairs, precision"
                f" {measured.precision:.4f} recall {measured.recall:.4f}, twins {measured.twins_proposed}"
                f" namesakes {measured.namesakes_proposed}, {measured.seconds:.2f} s"
            )
        print(f"check: {'accepted' if verdict.accepted else 'refused'}")
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
