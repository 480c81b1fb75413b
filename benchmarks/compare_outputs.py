"""Before/after: kamengine's answers on the bundled examples at a baseline commit and now, normalised and diffed.

Run: .venv/bin/python benchmarks/compare_outputs.py [--against f2894bb] [--timings] [--rounds 10] [--keep]
Makes (or reuses) a git worktree of the baseline under /tmp with a venv of its own, then runs one scenario in
the baseline and in this checkout (its .venv), each in a temporary KAMENGINE_HOME and working directory holding a
copy of this checkout's examples/: ``advise`` on every bundled example (table, json, markdown, csv, jsonl,
--explain, --lang zh), ``explain``, ``plan`` over sources, ``batch`` of the bundled exports into a store
(--as-of fixed), ``plan`` of the store's weeks, ``recs list`` / ``show`` / decisions, the ``report`` commands; then
``kamengine serve --no-auth`` over that store: every GET route of /openapi.json (path parameters filled from the
store's ids), the pages, one decision and the advice POSTed. Run ids, timestamps, generated ids and tokens, ports
and temporary paths are normalised (the rules are printed); then each step prints ``same`` or a unified diff, and
the OpenAPI documents are diffed. Exits 1 if anything differs. ``--timings`` adds the medians of interleaved runs
of ``kamengine --version`` and ``kamengine advise examples/acme-telecom.yaml`` at the baseline and now.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import json
import os
import re
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from against import NOW_VENV, REPO, baseline, git, now_is  # the baseline's worktree and venv, and HEAD

ACME = "examples/acme-telecom.yaml"
CRISIS = "examples/our-crisis/northwind-logistics.yaml"
AS_OF = "2026-11-20"  # every bundled snapshot's as_of: a batch dated so does not depend on today


# --- normalising -------------------------------------------------------------------------------------------------


@dataclass
class Normaliser:
    """Replaces what differs between two runs of the same code (ids, clocks, ports, paths), counting each rule's
    hits so that the report can say what was normalised."""

    rules: list[tuple[str, re.Pattern[str], str]] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)

    @classmethod
    def standard(cls) -> Normaliser:
        """The rules for any side: run and decision ids, timestamps, rates, ports, CSRF values, temporary files."""
        normaliser = cls()
        for label, pattern, replacement in (
            ("run ids", r"run-\d{8}T\d{6,12}Z", "run-<id>"),
            ("decision ids", r"\bdec-[0-9a-f]{20}\b", "dec-<id>"),
            (
                "timestamps (ISO 8601)",
                r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?(?![\w-])",
                "<timestamp>",
            ),
            ("timestamps (iCalendar DTSTAMP)", r"(?m)^DTSTAMP:\d{8}T\d{6}Z(?=\r?$)", "DTSTAMP:<timestamp>"),
            ("rates", r"\b\d+(\.\d+)? accounts/s\b", "<n> accounts/s"),
            ("ports", r"\b(127\.0\.0\.1|localhost):\d{2,5}\b", r"\1:<port>"),
            ("CSRF values", r'name="csrf" value="[0-9a-f]+"', 'name="csrf" value="<csrf>"'),
            ("temporary files", r"/tmp/tmp[\w-]{6,}", "<tmp>"),
        ):
            normaliser.add(label, pattern, replacement)
        return normaliser

    def add(self, label: str, pattern: str, replacement: str) -> None:
        """One more rule; rules apply in the order added."""
        self.rules.append((label, re.compile(pattern), replacement))

    def with_paths(self, paths: dict[Path, str]) -> Normaliser:
        """A copy that first replaces these folders (a side's working directory, checkout, venv) by their names."""
        normaliser = Normaliser(hits=self.hits)
        for path, name in sorted(paths.items(), key=lambda item: -len(str(item[0]))):  # the longest first
            normaliser.add(f"paths ({name})", re.escape(str(path)), name)
        normaliser.rules.extend(self.rules)
        return normaliser

    def __call__(self, text: str) -> str:
        """``text`` with every rule applied, in order."""
        for label, pattern, replacement in self.rules:
            text, count = pattern.subn(replacement, text)
            if count:
                self.hits[label] += count
        return text

    def describe(self) -> str:
        """What is normalised, and how often each rule hit."""
        seen = dict.fromkeys(label for label, _, _ in self.rules)
        lines = [f"  {label:<32} {pattern.pattern} -> {text}" for label, pattern, text in self.rules]
        counts = ", ".join(f"{label} {self.hits[label]}" for label in seen if self.hits[label])
        return "\n".join([*lines, f"  hits: {counts or 'none'}"])


# --- the two sides -----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a step gave: exit code (or HTTP status line), standard output (or body), standard error."""

    status: str
    out: str
    err: str = ""

    def text(self) -> str:
        """The whole outcome as one text to normalise and compare."""
        err = f"\n--- stderr\n{self.err}" if self.err else ""
        return f"{self.status}\n--- out\n{self.out}{err}"


@dataclass
class Side:
    """One installed kamengine (the baseline's or this checkout's) and the scratch folder its scenario runs in."""

    name: str
    venv: Path
    checkout: Path
    workdir: Path
    normalise: Normaliser = field(default_factory=Normaliser)

    @property
    def kamengine(self) -> Path:
        """The console script of this side's install."""
        return self.venv / "bin" / "kamengine"

    def env(self) -> dict[str, str]:
        """The environment of every command: no KAMENGINE_* of the caller's, a fixed user, zone, width and hash seed
        (so that both sides differ only in their code), and the side's own home for the store."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KAMENGINE_", "VIRTUAL_ENV"))}
        env.update(
            KAMENGINE_HOME=str(self.workdir / "home"), PATH=f"{self.venv / 'bin'}:{env.get('PATH', '')}",
            TZ="UTC", COLUMNS="160", LC_ALL="C.UTF-8", USER="compare", LOGNAME="compare", PYTHONHASHSEED="0",
            NO_COLOR="1",
        )  # fmt: skip
        return env

    def run(self, args: list[str], stdin: str | None = None) -> Outcome:
        """``kamengine ARGS`` in the side's working directory."""
        done = subprocess.run(
            [str(self.kamengine), *args], cwd=self.workdir, env=self.env(), input=stdin, capture_output=True,
            text=True, timeout=600, check=False,
        )  # fmt: skip
        return Outcome(f"exit {done.returncode}", done.stdout, done.stderr)


def make_side(name: str, venv: Path, checkout: Path, standard: Normaliser) -> Side:
    """A side with a new scratch folder holding a copy of this checkout's examples (the same input for both)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"kamengine-compare-{name.split()[0].lower()}-"))
    # The getresult example is a plugin package to install (its own tests run it), not an input of the commands.
    shutil.copytree(REPO / "examples", workdir / "examples", ignore=shutil.ignore_patterns("kamengine-getresult"))
    (workdir / "home").mkdir()
    (workdir / "out").mkdir()  # where the emitters write (they make no folders)
    paths = {workdir: "<workdir>", venv: "<venv>", checkout: "<checkout>"}
    return Side(name, venv, checkout, workdir, standard.with_paths(paths))


# --- the scenario ------------------------------------------------------------------------------------------------
# Each CLI step is a command line (its name too); the bundled exports as the docs name them:
PORTFOLIO = "--source file:examples/portfolio/"
EXPORTS = "--source csv:examples/exports/ --map examples/exports/crm-columns.toml"
SALESFORCE = "--source csv:examples/salesforce-export/ --map salesforce"
HUBSPOT = "--source csv:examples/hubspot-export/ --map hubspot"
SOURCES = (PORTFOLIO, EXPORTS, SALESFORCE, HUBSPOT)
BOTH = f"--source file:{ACME} {PORTFOLIO} --as-of {AS_OF}"  # the plan over sources the docs show


def advise_steps(hook: str) -> list[str]:
    """``advise`` on every bundled example, in each format, with --explain and in Chinese, and through the
    emitters (files in out/, the webhook to ``hook``); ``explain``."""
    acme = ["", "-f json", "-f markdown", "-f csv", "-f jsonl", "--explain", "--lang zh", "--lang zh -f json", "--all",
            "--engine compiled", "--config examples/team.toml"]  # fmt: skip
    crisis = f"--config examples/our-crisis/kamengine.toml advise {CRISIS} --all"
    explain = ["--subject c-reg", "--subject c-cto", "--subject c-ana", "--subject c-cto --json",
               "--rule three-axes-evaluator --subject c-eng", "--rule borrow-leverage"]  # fmt: skip
    return [
        *(f"advise {ACME} {extra}".strip() for extra in acme),
        "advise - -f json",  # the snapshot on standard input
        crisis,
        f"{crisis} -f json",
        *(f"advise {source}{fmt}" for source in SOURCES for fmt in ("", " -f json")),
        f"advise {PORTFOLIO} --lang zh -f markdown",
        f"advise {ACME} {' '.join(f'--emit {kind}:out/{name}' for kind, name in FILE_EMITTERS.items())}",
        f"advise {ACME} --emit webhook:{hook}",
        f"plan {BOTH} --ics out/calendars/",
        *(f"explain {ACME} {extra}" for extra in explain),
    ]


def plan_and_misc_steps() -> list[str]:
    """``plan`` over sources, ``sources check``, the account page, and the commands that describe the install."""
    return [
        f"plan {BOTH} --week all",
        f"plan {BOTH} --week all -f json",
        f"plan {BOTH} --load",
        f"plan {BOTH} --owner u-ad --week 2026-W49 -f markdown",
        f"plan {BOTH} --week all --lang zh",
        f"plan {SALESFORCE} --week all",
        f"report account {ACME} -o -",
        f"report account {ACME} -o - --lang zh",
        *(f"sources check {source}" for source in (EXPORTS, SALESFORCE, HUBSPOT)),
        f"sources check {SALESFORCE} --format json",
        "schema",
        "rules list",
        "plugins",
        "config show",
    ]


def store_steps(hook: str) -> list[str]:
    """The exports batched into the store (as of their date; the first two deliver, to out/ and to ``hook``), the
    files and posts the emitters delivered, then the store's weeks and its recommendations."""
    emits = [" --emit ics:out/batch.ics", f" --emit webhook:{hook}", "", ""]
    plans = ["--week all", "--week all -f json", "--owner u-ad", "--load", "--week 2026-W50 -f markdown"]
    lists = ["", LISTING.removeprefix("recs list "), "-f csv --limit 0", "--account acme-tel", "--owner u-ad -f json",
             "--page 2", "--status expired --status resolved"]  # fmt: skip
    return [
        *(f"batch {source} --as-of {AS_OF} --workers 1{emit}" for source, emit in zip(SOURCES, emits, strict=True)),
        DELIVERED,
        *(f"plan {extra}" for extra in plans),
        *(f"recs list {extra}".strip() for extra in lists),
    ]


LISTING = "recs list -f json --limit 0"  # the store's recommendations, read for the ids the later steps use
FILE_EMITTERS = {"ics": "visits.ics", "csv": "advice.csv", "json": "advice.json", "jsonl": "advice.jsonl",
                 "markdown": "advice.md", "table": "advice.txt"}  # fmt: skip
DELIVERED = "(delivered: the files in out/, the webhook's posts)"  # not a command: read what the emitters gave


@dataclass
class Picks:
    """Ids from the baseline's store, used alike on both sides: recommendations to show and decide, accounts,
    and owners."""

    ids: list[str]
    accounts: list[str]
    owners: list[str]

    @classmethod
    def from_listing(cls, listing: str) -> Picks:
        """From ``recs list -f json --limit 0``: six recommendations spread over the list, every account, and
        the owners (u-ad first, the bundled account director)."""
        rows = json.loads(listing)
        ids = [rows[i * (len(rows) - 1) // 5]["id"] for i in range(6)]
        accounts = sorted({row["account_id"] for row in rows})
        owners = sorted({row["owner"]["id"] for row in rows if row.get("owner")}, key=lambda o: (o != "u-ad", o))
        return cls(ids, accounts, owners)


def decision_steps(picks: Picks) -> list[str]:
    """``recs show`` of a few ids (one by a unique start), decisions on them, then the reports over the store."""
    first, second, third, fourth = picks.ids[:4]
    until = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    statuses = ("open", "accepted", "done", "dismissed", "snoozed", "resolved", "expired")
    every = " ".join(f"--status {status}" for status in statuses)
    return [
        f"recs show {first}",
        f"recs show {first} -f json",
        f"recs show {second[:10]}",
        f"recs accept {first} --reason 'booked for Tuesday' --by compare",
        f"recs snooze {second} --until {until} --reason 'after the fair'",
        f"recs dismiss {third} --reason 'not this quarter'",
        f"recs done {fourth}",
        f"recs accept {fourth}",  # done advice is not accepted: the lifecycle's refusal
        f"recs reopen {third}",
        "recs activities",
        *(f"recs show {rec} -f json" for rec in (first, second, third, fourth)),
        f"recs list --limit 0 {every}",
        *(f"report {report}{fmt}" for report in ("coverage", "effectiveness", "rules") for fmt in ("", " -f json")),
    ]


# --- the service -------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(url: str, method: str = "GET", body: bytes | None = None) -> Outcome:
    """One HTTP request: status, content type and redirect, and the body (JSON indented, in its own key order)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        answer = opener.open(req, timeout=120)
    except urllib.error.HTTPError as exc:
        answer = exc
    except OSError as exc:  # refused, reset, timed out: a server that is not (or no longer) there
        return Outcome("no answer", str(exc))
    text = answer.read().decode("utf-8", "replace")
    kind = answer.headers.get("content-type", "")
    if kind.startswith(("application/json", "application/problem+json")):
        with contextlib.suppress(ValueError):  # a body that is not JSON after all is compared as it came
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    location = answer.headers.get("location")
    return Outcome(f"{answer.status} {kind}" + (f" -> {location}" if location else ""), text)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to compare, not to follow."""

    def redirect_request(self, *args: Any) -> None:
        """Do not follow."""
        return None


@contextlib.contextmanager
def serving(side: Side) -> Iterator[str | None]:
    """``kamengine serve --no-auth`` of the side's store on a free port of 127.0.0.1 until the block ends: its
    address, or None if it did not start within a minute (its output is in the working directory's serve.log)."""
    port = free_port()
    args = [str(side.kamengine), "serve", "--no-auth", "--host", "127.0.0.1", "--port", str(port)]
    with (side.workdir / "serve.log").open("w") as log:
        server = subprocess.Popen(args, cwd=side.workdir, env=side.env(), stdout=log, stderr=subprocess.STDOUT)
        url: str | None = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not request(f"{url}/healthz").status.startswith("200"):
            if server.poll() is not None or time.monotonic() > deadline:
                url = None
                break
            time.sleep(0.2)
        try:
            yield url
        finally:
            server.terminate()  # SIGTERM: serve finishes the requests under way and stops
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def get_routes(documents: list[dict[str, Any]]) -> list[str]:
    """Every GET path of the OpenAPI documents (both sides', the baseline's order first)."""
    paths = [path for doc in documents for path, ops in doc.get("paths", {}).items() if "get" in ops]
    return list(dict.fromkeys(paths))


def fill(route: str, picks: Picks) -> list[str]:
    """The concrete paths to GET for a route: each path parameter filled from the picks (none if one is unknown)."""
    values = {"rec_id": picks.ids[:2], "account_id": picks.accounts, "owner": picks.owners[:2]}
    paths = [route]
    for name in re.findall(r"{(\w+)}", route):
        if name not in values:
            print(f"  {route}: no value for {{{name}}}, not requested")
            return []
        paths = [path.replace(f"{{{name}}}", value) for path in paths for value in values[name]]
    return paths


def http_steps(routes: list[str], picks: Picks) -> list[tuple[str, bytes | None]]:
    """("METHOD path", body): the GET routes, a few of their filters, the pages, then what changes the store (the
    advice POSTed and PUT, one decision) and the answers that show it."""
    owner, account, first = picks.owners[0], picks.accounts[0], picks.ids[4]
    gets = [path for route in routes for path in fill(route, picks)]
    gets += [f"/v1/recommendations?limit=500&owner={owner}", f"/v1/recommendations?account={account}&limit=3",
             "/v1/recommendations?status=done&status=dismissed", f"/v1/plan?owner={owner}&week=2026-W50",
             "/v1/plan?limit=500&overdue=true", "/v1/runs?limit=2"]  # fmt: skip
    pages = ["/", *(f"/accounts/{a}" for a in picks.accounts), f"/week/{owner}", f"/week/{owner}?week=2026-W50"]
    steps: list[tuple[str, bytes | None]] = [(f"GET {path}", None) for path in [*gets, *pages, "/login"]]
    snapshot = json.dumps(yaml.safe_load((REPO / ACME).read_text(encoding="utf-8")), default=str).encode()
    steps += [(f"POST /v1/advise{query}", snapshot) for query in ("", "?lang=zh", "?explain=true")]
    decision = json.dumps({"reason": "compare_outputs"}).encode()
    steps += [
        (f"POST /v1/recommendations/{first}/accept", decision),
        (f"POST /v1/recommendations/{first}/accept", decision),  # again: the same answer, no second change
        (f"POST /v1/recommendations/{first}/dismiss", b"{}"),  # without its reason: refused
        ("PUT /v1/accounts/acme-tel/snapshot", snapshot),
    ]
    return steps + [(f"GET {path}", None) for path in (f"/v1/recommendations/{first}", "/v1/decisions", "/v1/runs")]


# --- what the emitters delivered --------------------------------------------------------------------------------


class WebhookSink(ThreadingHTTPServer):
    """A webhook receiver on a free port of 127.0.0.1: it answers 200 and keeps each post until ``drain``."""

    def __init__(self) -> None:
        """Listen (serve_forever in a thread of its own answers)."""
        super().__init__(("127.0.0.1", 0), _Hook)
        self.posts: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"

    def drain(self) -> str:
        """The posts received since the last drain, in order."""
        posts, self.posts = self.posts, []
        return "\n".join(posts)


class _Hook(BaseHTTPRequestHandler):
    """Keeps a post's path, content type, idempotency key (a digest of the body) and body (JSON indented)."""

    server: WebhookSink

    def do_POST(self) -> None:
        """Keep the post and answer 200."""
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode("utf-8", "replace")
        with contextlib.suppress(ValueError):
            body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        said = ", ".join(f"{key}: {self.headers.get(key)}" for key in ("content-type", "idempotency-key"))
        self.server.posts.append(f"POST {self.path} ({said})\n{body}")
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the posts are compared, not logged."""


def delivered(side: Side, sink: WebhookSink) -> Outcome:
    """The files the emitters and ``plan --ics`` wrote in the side's out/, and what the webhook received."""
    out = side.workdir / "out"
    files = sorted(path for path in out.rglob("*") if path.is_file()) if out.exists() else []
    texts = [f"=== {path.relative_to(out)}\n{path.read_text(encoding='utf-8', errors='replace')}" for path in files]
    return Outcome(f"{len(files)} files", "\n".join(texts), sink.drain())


# --- running and comparing ---------------------------------------------------------------------------------------


def unique(name: str, taken: dict[str, Outcome]) -> str:
    """``name``, or for a step made again (a recommendation shown after its decision) ``name [2]``, ``[3]``..."""
    count = 1
    while (numbered := name if count == 1 else f"{name} [{count}]") in taken:
        count += 1
    return numbered


def run_cli(sides: list[Side], steps: list[str], results: dict[str, dict[str, Outcome]], sink: WebhookSink) -> None:
    """Every command line on every side, the baseline first (a side's steps in order: later ones read its store)."""
    stdin = (REPO / ACME).read_text(encoding="utf-8")
    for side in sides:
        sink.drain()
        for step in steps:
            if step == DELIVERED:
                outcome = delivered(side, sink)
            else:
                args = shlex.split(step)
                outcome = side.run(args, stdin=stdin if "-" in args else None)
            results[side.name][unique(step, results[side.name])] = outcome


def run_http(sides: list[Side], picks: Picks, results: dict[str, dict[str, Outcome]]) -> list[dict[str, Any]]:
    """Serve both sides' stores at once and ask each the same requests; returns their OpenAPI documents ({} for
    a side whose server did not start: each of its requests then gives the end of its serve.log)."""
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(serving(side)) for side in sides]
        answers = [request(f"{url}/openapi.json") if url else None for url in urls]
        documents = [json.loads(a.out) if a and a.status.startswith("200") else {} for a in answers]
        steps = http_steps(get_routes(documents), picks)
        for side, url in zip(sides, urls, strict=True):
            log = (side.workdir / "serve.log").read_text(encoding="utf-8", errors="replace")
            for step, body in steps:
                method, path = step.split(" ", 1)
                outcome = request(url + path, method, body) if url else Outcome("serve did not start", log[-2000:])
                results[side.name][unique(step, results[side.name])] = outcome
    return documents


def diff(name: str, before: str, after: str, labels: tuple[str, str], status: str = "") -> bool:
    """Print ``same`` or the unified diff of two normalised texts, with the baseline's exit code or HTTP status
    before the name; True if they are the same."""
    if before == after:
        print(f"same     {status:<26} {name}")
        return True
    print(f"DIFFERS  {status:<26} {name}")
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), *labels, lineterm="", n=2)
    print("\n".join(f"    {line}" for line in lines))
    return False


def compare(sides: list[Side], results: dict[str, dict[str, Outcome]], documents: list[dict[str, Any]]) -> bool:
    """Diff every step's normalised outcome and the OpenAPI documents; True if all are the same."""
    ref, now = sides
    labels = (ref.name, now.name)
    same = True
    for name in dict.fromkeys([*results[ref.name], *results[now.name]]):
        old, new = (results[s.name].get(name, Outcome("not run", "")) for s in sides)
        status = old.status.partition(";")[0]  # an HTTP status without the content type's charset
        same &= diff(name, ref.normalise(old.text()), now.normalise(new.text()), labels, status)
    print("\nThe OpenAPI document (/openapi.json):")
    before, after = (json.dumps(doc, indent=2, ensure_ascii=False) for doc in documents)
    same &= diff("/openapi.json", before, after, labels)
    return same


def timed(side: Side, args: list[str]) -> tuple[float, float]:
    """Run ``kamengine ARGS`` once: its wall-clock and CPU (user + system) seconds; a failure stops the script."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    outcome = side.run(args)
    wall = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child just waited for: only its own time is added
    if outcome.status != "exit 0":
        sys.exit(f"{side.name}: kamengine {' '.join(args)}: {outcome.status}\n{outcome.err}")
    return wall, (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)


def timings(sides: list[Side], rounds: int) -> None:
    """Medians of interleaved runs of ``--version`` and ``advise`` on the bundled example, baseline and now, and
    now/baseline: wall clock (start-up and imports included) and CPU time (which the shared machine's load moves
    less)."""
    print(f"\nTimings: medians of {rounds} interleaved runs each, ms")
    print(
        f"{'command':<44} {'wall ref':>9} {'wall now':>9} {'now/ref':>7} {'cpu ref':>9} {'cpu now':>9} {'now/ref':>7}"
    )
    for args in (["--version"], ["advise", ACME]):
        wall: dict[str, list[float]] = {side.name: [] for side in sides}
        cpu: dict[str, list[float]] = {side.name: [] for side in sides}
        for round_ in range(rounds):
            for side in sides if round_ % 2 == 0 else sides[::-1]:  # who goes first alternates: no side is favoured
                seconds, cpu_seconds = timed(side, args)
                wall[side.name].append(seconds)
                cpu[side.name].append(cpu_seconds)
        figures = []
        for times in (wall, cpu):
            ref, now = (statistics.median(times[side.name]) * 1000 for side in sides)
            figures.append(f"{ref:9.0f} {now:9.0f} {now / ref:7.2f}")
        print(f"{'kamengine ' + ' '.join(args):<44} {' '.join(figures)}")


def main() -> None:
    """Parse the options, prepare both sides, run the scenario, print the differences (and the timings)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="f2894bb", help="the baseline commit (default f2894bb)")
    parser.add_argument("--timings", action="store_true", help="also time --version and advise, baseline and now")
    parser.add_argument("--rounds", type=int, default=10, help="runs of each timed command per side (default 10)")
    parser.add_argument("--skip-outputs", action="store_true", help="only the timings")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders (their paths are printed)")
    args = parser.parse_args()
    if not (NOW_VENV / "bin" / "kamengine").exists():
        sys.exit(f"{NOW_VENV} has no kamengine: make the dev venv first (README)")
    tree, venv = baseline(args.against)
    standard = Normaliser.standard()
    sides = [make_side(f"{args.against} (ref)", venv, tree, standard), make_side("now", NOW_VENV, REPO, standard)]
    for side in sides:
        print(f"{side.name}: {side.kamengine}, working in {side.workdir}")
    print(now_is())
    changed = git("diff", "--stat", args.against, "--", "examples/", ":!examples/kamengine-getresult")
    print("examples/ as at the baseline" if not changed else f"examples/ changed since the baseline:\n{changed}")
    same = True
    try:
        if not args.skip_outputs:
            same = scenario(sides)
        if args.timings:
            timings(sides, args.rounds)
    finally:
        for side in sides:
            if not args.keep:
                shutil.rmtree(side.workdir, ignore_errors=True)
    sys.exit(0 if same else 1)


def scenario(sides: list[Side]) -> bool:
    """Run the commands and requests on both sides, print what was normalised and each difference."""
    results: dict[str, dict[str, Outcome]] = {side.name: {} for side in sides}
    sink = WebhookSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    run_cli(sides, [*advise_steps(sink.url), *plan_and_misc_steps(), *store_steps(sink.url)], results, sink)
    listing = next((r[LISTING] for r in results.values() if r[LISTING].status == "exit 0"), None)
    if listing is None:
        sys.exit(f"neither side could list its store: {results[sides[0].name][LISTING].text()}")
    picks = Picks.from_listing(listing.out)
    run_cli(sides, decision_steps(picks), results, sink)
    sink.shutdown()
    sink.server_close()
    documents = run_http(sides, picks, results)
    print()
    same = compare(sides, results, documents)
    print("\nNormalised (in this order):\n" + sides[1].normalise.describe())
    print(f"\n{'no differences' if same else 'DIFFERENCES (above)'}: {sum(map(len, results.values())) // 2} steps")
    return same


if __name__ == "__main__":
    main()
