"""How fast the chatbot answers with 50 conversations open at once.

1. Prepares a database: by default a fresh SQLite file in a temporary
   directory (``DATABASE_URL`` names another, e.g. PostgreSQL; it is
   migrated, not dropped), migrated, with the reference geography loaded,
   so the catalogue, the schemes and the complaint categories are the shipped
   ones.
2. Sends one message first and reports that cold reply apart: it loads (or
   fits) the intent model and builds the catalogue indexes.
3. Runs ``--conversations`` threads (50), each a conversation through
   ``POST /api/v1/chatbot/messages`` with Django's test client (the whole
   middleware stack, the API, the dialogue and the transcript writes), each
   sending ``--turns`` messages drawn from a mix of questions in Hindi,
   English and romanised Hindi (services, documents, schemes, departments,
   cards, e-KYC, register changes, greetings, messages it cannot understand).
   Two runs:

   - *people typing*: each conversation waits 2 to 4 s (``--think``) between
     messages, as a person reading the answer and typing the next one would;
   - *saturation*: no waiting at all, every thread sends its next message as
     soon as the answer arrives (the per-conversation rate limit of the API is
     lifted for this run only, in this process).

4. Prints, for each run, the number of replies, errors, replies per second,
   and the latency median, p95, p99 and maximum, with the load average before
   and after and the number of cores.

    .venv/bin/python bench/chatbot_latency.py [--conversations 50] [--turns 12] [--think 2-4]

Everything (the threads, the server code and the database) shares one
process and the machine's cores with whatever else runs; figures are a floor.
The target is a p95 under 100 ms at 50 concurrent conversations.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKDIR = tempfile.mkdtemp(prefix="chatbot-latency-")
os.environ.setdefault("HIMACCESS_DATA_DIR", WORKDIR)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
os.environ.setdefault("SMS_BACKEND", "console")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from himaccess.chatbot import api as chatbot_api  # noqa: E402
from himaccess.geography.loading import load_reference_geography  # noqa: E402

API = "/api/v1/chatbot/messages"
QUESTIONS = [
    "namaste",
    "hello, what can you do?",
    "income certificate ke liye kya chahiye",
    "आय प्रमाण पत्र के लिए कौन से दस्तावेज़ चाहिए",
    "what documents are needed for a caste certificate",
    "bonafide himachali banwana hai",
    "how many days does the character certificate take",
    "am I eligible for old age pension",
    "विधवा पेंशन किसको मिलती है",
    "divyang bhatta ki shartein kya hai",
    "what does milkfed pay for cow milk",
    "prakritik kheti ke baare me batao",
    "how do I download my family card",
    "ekyc kaise kare",
    "शादी के बाद पत्नी का नाम जोड़ना है",
    "jal shakti vibhag kya karta hai",
    "birth certificate kahan se milega",
    "qwzx plorb vvnt",
    "thank you",
    "मुझे जमाबंदी की नकल चाहिए",
]


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def converse(run: Run, turns: int, think: tuple[float, float], seed: int) -> None:
    rng = random.Random(seed)
    client = Client(HTTP_HOST="localhost")
    conversation_id = None
    try:
        for _ in range(turns):
            text = rng.choice(QUESTIONS)
            started = time.perf_counter()
            response = client.post(
                API, {"text": text, "conversation_id": conversation_id}, content_type="application/json"
            )
            elapsed = time.perf_counter() - started
            with run.lock:
                if response.status_code == 200:
                    run.latencies.append(elapsed)
                    conversation_id = response.json()["conversation_id"]
                else:
                    run.errors.append(f"{response.status_code}")
            if think[1] > 0:
                time.sleep(rng.uniform(*think))
    finally:
        connections.close_all()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run_once(title: str, conversations: int, turns: int, think: tuple[float, float]) -> None:
    cache.clear()
    run = Run()
    load_before = os.getloadavg()
    threads = [
        threading.Thread(target=converse, args=(run, turns, think, seed)) for seed in range(conversations)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
        time.sleep(0.02)  # people do not all press Enter in the same millisecond
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    values = run.latencies
    print(f"\n{title}: {conversations} conversations x {turns} messages, think {think[0]:g}-{think[1]:g} s")
    print(f"  replies {len(values)}, errors {len(run.errors)} {sorted(set(run.errors))}")
    print(f"  replies per second {len(values) / wall:.1f} over {wall:.1f} s")
    if values:
        print(
            f"  latency ms: median {statistics.median(values) * 1e3:.1f},"
            f" p95 {percentile(values, 0.95) * 1e3:.1f}, p99 {percentile(values, 0.99) * 1e3:.1f},"
            f" max {max(values) * 1e3:.1f}"
        )
    print(
        "  load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}; cores {}".format(
            *load_before, *load_after, os.cpu_count()
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument(
        "--think", default="2-4", help="seconds between a reply and the next message, low-high"
    )
    parser.add_argument("--no-saturation", action="store_true", help="skip the run without think time")
    args = parser.parse_args()
    low, high = (float(part) for part in args.think.split("-"))

    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_reference_geography()
    print(f"migrated and loaded in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    cold = Client(HTTP_HOST="localhost").post(API, {"text": "namaste"}, content_type="application/json")
    print(
        f"cold first reply ({cold.status_code}): {(time.perf_counter() - started) * 1e3:.0f} ms "
        "(intent model loaded or fitted, indexes built)"
    )

    run_once("people typing", args.conversations, args.turns, (low, high))
    if not args.no_saturation:
        chatbot_api.MESSAGE_LIMITS = ()  # this process only: a person could never type this fast
        run_once("saturation", args.conversations, args.turns, (0.0, 0.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
