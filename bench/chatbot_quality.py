"""How well the chatbot understands people: intent accuracy on held-out phrases, per language.

1. Fits the intent classifier from ``himaccess/chatbot/data/intents_train.yaml``
   exactly as the product does (no cache is read or written here), and times it.
2. Predicts the phrases of the two held-out files, never trained on (the script
   stops if a phrase is in a held-out file and in training):
   ``intents_eval.yaml``, the development set (its mistakes led to new
   training phrases, never to copies of its own, so its figures lean
   optimistic), and ``intents_test.yaml``, written after the training phrases
   were last changed and never used to change them (the honest figure).
3. For each set and each language (``hi`` Devanagari, ``en`` English, ``hi-Latn``
   Hindi in Latin letters) prints: intent accuracy; accuracy counting an
   answer below the "understood" threshold as wrong (the bot asks again
   there); and how often the question's language was detected right.
4. Prints the confusion pairs (true intent -> predicted, with counts and
   examples) and recall per intent, over both sets.

    .venv/bin/python bench/chatbot_quality.py [--examples 3]

Needs no database. The target is 90 % or more in each language.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django  # noqa: E402

django.setup()

from himaccess.chatbot import classifier, language  # noqa: E402
from himaccess.chatbot.dialogue import understood  # noqa: E402

LANGUAGES = ("hi", "en", "hi-Latn")
TARGET = 0.90
SETS = (
    ("development (intents_eval.yaml)", classifier.EVAL_PATH),
    ("final (intents_test.yaml)", classifier.TEST_PATH),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3, help="examples shown per confusion pair")
    args = parser.parse_args()

    trained = {phrase.casefold() for _i, _l, phrase in classifier.read_phrases(classifier.TRAIN_PATH)}
    started = time.perf_counter()
    model = classifier.fit(classifier.training_examples())
    fitted = time.perf_counter() - started
    print(f"training phrases: {len(trained)}, intents: {len(model.intents)}")
    print(f"fitted in {fitted:.2f} s; features in use: {len(model.columns)}")

    confusions: dict[tuple[str, str], list[str]] = defaultdict(list)
    recall: dict[str, Counter[str]] = defaultdict(Counter)
    timings: list[float] = []
    failed = False
    for title, path in SETS:
        held_out = classifier.read_phrases(path)
        shared = trained & {phrase.casefold() for _i, _l, phrase in held_out}
        if shared:
            print(f"{path.name}: phrases also in training: {sorted(shared)}")
            return 2
        totals: Counter[str] = Counter()
        right: Counter[str] = Counter()
        confident: Counter[str] = Counter()
        language_right: Counter[str] = Counter()
        for intent, lang, phrase in held_out:
            started = time.perf_counter()
            prediction = model.predict(phrase)
            timings.append(time.perf_counter() - started)
            totals[lang] += 1
            recall[intent]["total"] += 1
            if prediction.intent == intent:
                right[lang] += 1
                recall[intent]["right"] += 1
                confident[lang] += understood(prediction) or intent == "out_of_scope"
            else:
                confusions[(intent, prediction.intent)].append(f"{phrase!r} ({prediction.confidence:.2f})")
            detected = language.detect(phrase)
            language_right[lang] += detected == lang or (detected is None and lang == "en")
        print(f"\n{title}: {sum(totals.values())} phrases")
        print(f"  {'language':<9} {'phrases':>7} {'accuracy':>9} {'understood':>11} {'language':>9}")
        for lang in LANGUAGES:
            accuracy = right[lang] / totals[lang]
            failed |= accuracy < TARGET
            print(
                f"  {lang:<9} {totals[lang]:>7} {accuracy:>9.1%} {confident[lang] / totals[lang]:>11.1%}"
                f" {language_right[lang] / totals[lang]:>9.1%}"
            )
        print(f"  {'all':<9} {sum(totals.values()):>7} {sum(right.values()) / sum(totals.values()):>9.1%}")
    timings.sort()
    print(
        f"\nprediction time: median {timings[len(timings) // 2] * 1e3:.2f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)] * 1e3:.2f} ms"
    )
    print("\nconfusion pairs over both sets (true -> predicted: count, examples)")
    for (truth, predicted), examples in sorted(confusions.items(), key=lambda item: -len(item[1])):
        print(f"  {truth} -> {predicted}: {len(examples)}  " + "; ".join(examples[: args.examples]))
    print("\nrecall per intent over both sets")
    for intent in sorted(recall):
        counts = recall[intent]
        print(f"  {intent:<20} {counts['right'] / counts['total']:>6.1%} of {counts['total']}")
    print(f"\ntarget {TARGET:.0%} in each language of each set: {'NOT MET' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
