"""Duplicate detection accuracy on a list full of twins, namesakes and re-entered people.

Draws a list with ``registry.synthetic.lookalikes`` (its own generator, not the
population's), trains the model on the list without labels (EM), predicts
pairs through the list check's path (CSV parsing included) and prints
pairwise precision and recall at the threshold, and how many twin and
namesake pairs were wrongly proposed.

    .venv/bin/python bench/linkage_lookalikes.py --households 20000 --threshold 0.7
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

from himaccess.linkage import lists  # noqa: E402
from himaccess.linkage import model as linkage_model  # noqa: E402
from himaccess.registry.synthetic import lookalikes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--save", help="write the model trained on the list to this JSON file")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()}")

    started = time.perf_counter()
    data = lookalikes.generate(args.households, seed=args.seed)
    read = lists.read_rows(data.rows, districts=lists.district_lookup(), today=date.today())
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
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
