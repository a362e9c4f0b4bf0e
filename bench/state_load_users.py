"""The people and systems of the state-load benchmark, as Locust users, and the stepped run that drives them.

Run by bench/state_load.py (and bench/faults.py, bench/bad_requests.py) in a
process of its own, because Locust patches the standard library with gevent
and the product must not run under that patch:

    .venv/bin/python bench/state_load_users.py FIXTURE.json RESULT.json

FIXTURE.json (written by bench/state_load.py) names the server, the logged-in
sessions, the department credentials, the ledger's payments to make, which
scenarios run, the steps of users and how long each lasts, and the process
ids whose resident memory is sampled. RESULT.json receives, per step and per
scenario: requests, failures, requests per second, p50/p95/p99, the peak RSS
of the server's processes, the load average; and every application number and
ledger payment the server acknowledged, so that the caller can count them in
the database afterwards.

Requests are named ``scenario: step`` (``citizen: apply``); a scenario's
figures are the sum of its names.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, User, between, constant_throughput, events, task
from locust.env import Environment

FIXTURE: dict[str, Any] = json.loads(Path(sys.argv[1]).read_text()) if __name__ == "__main__" else {}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NUMBER = re.compile(r"/services/applications/([A-Z0-9-]{6,12})/")
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
ACTION = re.compile(r'<option value="(verify|approve)"')
# What the server acknowledged, for the count in the database afterwards.
ACKNOWLEDGED: dict[str, list[str]] = {"applications": [], "benefits": []}
# Answers that are the server saying "not now", each with its Retry-After (or none).
REFUSALS: dict[str, int] = {}
# Every attempt of the retrying users: (time, scenario, status, had Retry-After, seconds); 0: no answer.
ATTEMPTS: list[tuple[float, str, int, bool, float]] = []
RETRY_WAIT_MAX = 2.0


def _refusal(response: Any) -> None:
    if response.status_code in (429, 503):
        has = "with Retry-After" if response.headers.get("Retry-After") else "WITHOUT Retry-After"
        key = f"{response.status_code} {has}"
        REFUSALS[key] = REFUSALS.get(key, 0) + 1


def _csrf(user: HttpUser) -> str:
    return str(user.client.cookies.get("csrftoken", ""))


class Citizen(HttpUser):
    """A resident, logged in (the session the OTP login leaves): family page, apply with an upload, track."""

    weight = 6
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.session_key, self.member_id = random.choice(FIXTURE["citizens"])
        self.client.cookies.set("sessionid", self.session_key)
        self.client.get("/", name="citizen: home")
        self.numbers: list[str] = []

    @task(3)
    def family_page(self) -> None:
        with self.client.get("/register/my-family/", name="citizen: family page", catch_response=True) as r:
            _refusal(r)
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")

    @task(2)
    def apply_with_upload(self) -> None:
        service = "/services/apply/CERT-02/"
        self.client.get(service, name="citizen: choose member")
        with self.client.post(
            service,
            {"member_id": self.member_id, "csrfmiddlewaretoken": _csrf(self)},
            headers={"Referer": f"{self.host}{service}"},
            allow_redirects=False,
            name="citizen: start draft",
            catch_response=True,
        ) as r:
            _refusal(r)
            found = NUMBER.search(r.headers.get("Location", ""))
            if r.status_code != 302 or not found:
                r.failure(f"status {r.status_code}")
                return
        number = found.group(1)
        edit = f"/services/applications/{number}/edit/"
        with self.client.post(
            edit,
            {
                "csrfmiddlewaretoken": _csrf(self),
                "relative_name": "Sohan Lal",
                "purpose": "Admission",
                "family_income": "120000",
                "income_sources": "Farming",
            },
            files={"doc_income_proof": ("income.pdf", PDF, "application/pdf")},
            headers={"Referer": f"{self.host}{edit}"},
            allow_redirects=False,
            name="citizen: submit with upload",
            catch_response=True,
        ) as r:
            _refusal(r)
            if r.status_code == 302 and r.headers.get("Location", "").endswith(f"/applications/{number}/"):
                ACKNOWLEDGED["applications"].append(number)
                self.numbers.append(number)
            else:
                r.failure(f"status {r.status_code}")

    @task(2)
    def track(self) -> None:
        if not self.numbers:
            return
        number = random.choice(self.numbers)
        self.client.get(f"/services/applications/{number}/", name="citizen: track (page)")
        with self.client.get(
            f"/api/v1/services/applications/{number}", name="citizen: track (API)", catch_response=True
        ) as r:
            _refusal(r)
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")


def _send_until_acknowledged(user: HttpUser, scenario: str, send: Any) -> Any:
    """Send one write again, with the same Idempotency-Key, until acknowledged or the retry time passes.

    ``send`` makes one attempt and returns the response (None when no answer came).
    Waits what Retry-After says (at most ``RETRY_WAIT_MAX``), as a well-behaved client does.
    """
    deadline = time.time() + FIXTURE.get("retry_seconds", 0)
    while True:
        started = time.time()
        try:
            response = send()
        except Exception:  # a dropped connection is an answer that never came
            response = None
        status = response.status_code if response is not None else 0
        retry_after = response.headers.get("Retry-After") if response is not None else None
        ATTEMPTS.append((started, scenario, status, bool(retry_after), time.time() - started))
        if response is not None and 200 <= status < 300:
            return response
        if time.time() > deadline:
            return response
        try:
            wait = float(retry_after or 0.5)
        except ValueError:
            wait = 0.5
        gevent.sleep(min(max(wait, 0.2), RETRY_WAIT_MAX))


class Submitter(HttpUser):
    """A citizen's app filing through the API with an Idempotency-Key, retrying until answered."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.session_key, self.member_id = random.choice(FIXTURE["citizens"])
        self.client.cookies.set("sessionid", self.session_key)
        self.client.get("/", name="submitter: home")

    @task
    def submit(self) -> None:
        key = f"load-{secrets.token_hex(8)}"
        body = {
            "service": "CERT-05",
            "member_id": self.member_id,
            "answers": {"relative_name": "Sohan Lal", "purpose": "Employment"},
        }

        def send() -> Any:
            if not self.client.cookies.get("csrftoken"):
                self.client.get("/", name="submitter: home")
            return self.client.post(
                "/api/v1/services/applications",
                json=body,
                headers={"X-CSRFToken": _csrf(self), "Idempotency-Key": key, "Referer": f"{self.host}/"},
                name="submitter: file (API)",
                timeout=30,
            )

        response = _send_until_acknowledged(self, "submitter", send)
        if response is not None and response.status_code == 201:
            ACKNOWLEDGED["applications"].append(response.json()["number"])


class Officer(HttpUser):
    """A patwari or a tehsildar of the citizens' tehsil: the queue, then a decision on its oldest rows."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", random.choice(FIXTURE["officers"]))
        self.client.get("/", name="officer: home")

    @task
    def queue_and_decide(self) -> None:
        with self.client.get("/services/queue/", name="officer: queue", catch_response=True) as r:
            _refusal(r)
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return
            numbers = list(dict.fromkeys(NUMBER.findall(r.text)))
        if not numbers:
            return
        number = random.choice(numbers[:20])
        detail = f"/services/applications/{number}/"
        page = self.client.get(detail, name="officer: application")
        version, action = VERSION.search(page.text), ACTION.search(page.text)
        if page.status_code != 200 or not version or not action:
            return
        with self.client.post(
            f"{detail}act/",
            {
                "csrfmiddlewaretoken": _csrf(self),
                "version": version.group(1),
                "action": action.group(1),
                "note": "Checked",
            },
            headers={"Referer": f"{self.host}{detail}"},
            allow_redirects=False,
            name="officer: decide",
            catch_response=True,
        ) as r:
            _refusal(r)
            # 409: the other officer user of the same posting decided it first, as happens in an office.
            if r.status_code in (302, 409):
                r.success()
            else:
                r.failure(f"status {r.status_code}")


class Department(HttpUser):
    """A department's system: a client-credentials token, then consented reads of members."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        credentials = FIXTURE["department"]
        self.token = ""
        response = self.client.post(
            "/o/department/token/",
            {"grant_type": "client_credentials", "scope": "register.verify register.read"},
            auth=(credentials["client_id"], credentials["secret"]),
            name="department: token",
        )
        if response.status_code == 200:
            self.token = response.json()["access_token"]

    @task
    def read_member(self) -> None:
        if not self.token:
            self.on_start()
            return
        credentials = FIXTURE["department"]
        member_id = random.choice(credentials["members"])
        with self.client.get(
            f"/api/v1/department/members/{member_id}?purpose={credentials['purpose']}",
            headers={"Authorization": f"Bearer {self.token}"},
            name="department: read member",
            catch_response=True,
        ) as r:
            _refusal(r)
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")


class Ledger(HttpUser):
    """A department's payment system posting monthly payments, one request each, with an Idempotency-Key."""

    weight = 2
    wait_time = between(0.5, 1.5)
    # Shared by every ledger user of this process, so no two post the same member's month.
    pending: list[list[str]] = []

    @task
    def post_payment(self) -> None:
        if not Ledger.pending:
            return
        member_id, period = Ledger.pending.pop()
        reference = f"LOAD-{secrets.token_hex(6)}"
        body = {
            "member_id": member_id,
            "scheme_id": FIXTURE["ledger"]["scheme_id"],
            "period": period,
            "amount": 1500,
            "paid_on": FIXTURE["ledger"]["paid_on"],
            "payment_reference": reference,
        }
        headers = {"Authorization": f"Bearer {FIXTURE['ledger']['token']}", "Idempotency-Key": reference}
        if FIXTURE.get("retry_seconds"):

            def send() -> Any:
                return self.client.post(
                    "/api/v1/schemes/benefits",
                    json=body,
                    headers=headers,
                    name="ledger: post payment",
                    timeout=30,
                )

            response = _send_until_acknowledged(self, "ledger", send)
            if response is not None and response.status_code == 201:
                ACKNOWLEDGED["benefits"].append(reference)
            return
        with self.client.post(
            "/api/v1/schemes/benefits",
            json=body,
            headers=headers,
            name="ledger: post payment",
            catch_response=True,
        ) as r:
            _refusal(r)
            if r.status_code == 201:
                ACKNOWLEDGED["benefits"].append(reference)
            else:
                r.failure(f"status {r.status_code}")


class Steady(HttpUser):
    """Good requests at a fixed rate: a citizen's family page and the API's service catalogue.

    bench/bad_requests.py times these while bad requests come from a process of its own.
    """

    fixed_count = int(FIXTURE.get("good_users", 0))
    wait_time = constant_throughput(float(FIXTURE.get("good_rate", 2)))

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", random.choice(FIXTURE["citizens"])[0])

    @task
    def read(self) -> None:
        for path, name in (
            ("/register/my-family/", "good: family page"),
            ("/api/v1/services/catalogue", "good: catalogue (API)"),
        ):
            with self.client.get(path, name=name, catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"status {r.status_code}")


SCENARIOS = {
    "citizen": Citizen,
    "officer": Officer,
    "department": Department,
    "ledger": Ledger,
    "submitter": Submitter,
    "good": Steady,
}


def _rss_mib(roots: list[int]) -> float:
    """Resident memory of the process trees under ``roots`` (gunicorn and Celery with their children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    total, stack, seen = 0, list(roots), set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        stack.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _snapshot(environment: Environment, elapsed: float) -> dict[str, Any]:
    """Per scenario: requests, failures, rps, percentiles (ms) over the step just measured."""
    by_scenario: dict[str, dict[str, Any]] = {}
    for (name, _method), entry in environment.stats.entries.items():
        scenario = name.split(":", 1)[0]
        found = by_scenario.setdefault(scenario, {"requests": 0, "failures": 0, "times": {}, "names": {}})
        found["requests"] += entry.num_requests
        found["failures"] += entry.num_failures
        found["names"][name] = {"requests": entry.num_requests, "failures": entry.num_failures}
        for bucket, count in entry.response_times.items():
            found["times"][bucket] = found["times"].get(bucket, 0) + count
    for found in by_scenario.values():
        times = sorted(found.pop("times").items())
        total = sum(count for _bucket, count in times)
        cuts: dict[str, float] = {}
        for label, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            seen, value = 0, 0.0
            for bucket, count in times:
                seen += count
                value = bucket
                if seen >= share * total:
                    break
            cuts[label] = value
        found.update(cuts)
        found["rps"] = found["requests"] / elapsed if elapsed else 0.0
    return by_scenario


def run(fixture: dict[str, Any]) -> dict[str, Any]:
    """Step the users up; each step warms up, then is measured on fresh statistics."""
    Ledger.pending = [list(pair) for pair in fixture["ledger"]["pending"]] if "ledger" in fixture else []
    random.shuffle(Ledger.pending)
    classes: list[type[User]] = [SCENARIOS[name] for name in fixture["scenarios"]]
    # Users finish the task in hand when stopped, so every write sent is answered and counted.
    environment = Environment(user_classes=classes, host=fixture["host"], events=events, stop_timeout=30)
    runner = environment.create_local_runner()
    steps: list[dict[str, Any]] = []
    roots = fixture.get("watch_pids", [])
    for users in fixture["steps"]:
        runner.start(users, spawn_rate=max(users / 2, 1))
        gevent.sleep(fixture.get("warmup_seconds", 5))
        environment.stats.reset_all()
        REFUSALS.clear()
        started, peak = time.monotonic(), 0.0
        while time.monotonic() - started < fixture["step_seconds"]:
            gevent.sleep(1)
            peak = max(peak, _rss_mib(roots))
        elapsed = time.monotonic() - started
        step = {
            "users": users,
            "seconds": elapsed,
            "scenarios": _snapshot(environment, elapsed),
            "refusals": dict(REFUSALS),
            "rss_mib": peak,
            "load": os.getloadavg(),
            "cores": os.cpu_count(),
            "submitted": len(ACKNOWLEDGED["applications"]),
        }
        steps.append(step)
        print(
            json.dumps({"users": users, "rps": sum(s["rps"] for s in step["scenarios"].values())}), flush=True
        )
        if Path(fixture.get("stop_file", "/nonexistent")).exists():
            break
    runner.quit()
    return {"steps": steps, "acknowledged": ACKNOWLEDGED, "attempts": ATTEMPTS}


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(run(FIXTURE)))
