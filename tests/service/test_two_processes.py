"""Several ``kamengine serve`` processes on one store while ``kamengine batch`` writes into it: a page's button pressed
on another process is taken, a login on one holds on the others, a restarted process takes the forms it gave before.

Each process is started as installed (a subprocess on 127.0.0.1) and stopped by the test. The requests name one
host, as a browser's do behind the proxy that hands them to the processes: to it they are one site.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from kamengine.engine.store.secrets_kept import kept_secret
from kamengine.engine.store.store import Store
from kamengine.engine.store.tokens import create_token
from kamengine.service.factory import ServeSettings
from page_parsing import Element, parse_page
from serving import free_port
from support import REPO

SCRIPT = Path(sys.executable).parent / "kamengine"
EXAMPLES = [REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]
#: The accounts whose director (AD) is u-ad: every button of their pages is theirs to press.
DIRECTED = ("acme-tel", "globex-energy", "umbrella-health")
SITE = "kam.example"  # the one address the browser sees, whichever process answers
COOKIE = "kamengine_token"
OUT_OF_DATE = "That form is out of date"


@dataclass(frozen=True)
class Press:
    """One button of a page as the browser would post it: its address and its form's fields."""

    url: str
    fields: dict[str, str]


def _batch(folder: Path, db: Path, as_of: str | None = None) -> subprocess.Popen[str]:
    command = [SCRIPT, "--config", "/dev/null", "batch", "--source", f"file:{folder}", "--db", db, "--workers", "1"]
    command += ["--as-of", as_of] if as_of else []
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Path, str]:
    """A store the first night's batch wrote (the bundled accounts), its export, and an act token of u-ad."""
    folder, db = tmp_path / "export", tmp_path / "k.db"
    folder.mkdir()
    for path in EXAMPLES:
        shutil.copy(path, folder)
    first = _batch(folder, db)
    assert first.wait(180) == 0, first.communicate()[1]
    opened = Store(db)
    try:
        token = create_token(opened, "u-ad", "act")[1]
    finally:
        opened.close()
    return db, folder, token


@dataclass(frozen=True)
class Served:
    """A ``kamengine serve`` the test started: where it answers, and its process."""

    url: str
    pid: int
    ended: list[int] = field(default_factory=list)  # its exit status, once stopped


@contextmanager
def _serving(db: Path, port: int, *options: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``kamengine serve`` on ``port`` until the block ends (SIGTERM, as a service manager stops it)."""
    command = [SCRIPT, "--config", "/dev/null", "serve", "--port", str(port), "--db", str(db), *options]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    url = f"http://127.0.0.1:{port}"
    served = Served(url, server.pid)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.1)
        yield served
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=60)
        served.ended.append(server.returncode)
        assert "Traceback" not in stderr, stderr


def _browser(url: str, cookie: str | None = None) -> httpx.Client:
    """A client of one process that names the site's host, with the session's cookie if it has one."""
    client = httpx.Client(base_url=url, headers={"Host": SITE}, timeout=60)
    if cookie is not None:
        client.headers["Cookie"] = f"{COOKIE}={cookie}"
    return client


def _login(url: str, token: str) -> str:
    """Sign in on the process at ``url``: the session's cookie."""
    with _browser(url) as client:
        answer = client.post("/login", data={"token": token}, headers={"Origin": f"http://{SITE}"})
    assert answer.status_code == 303, answer.text
    return answer.cookies[COOKIE]


def _presses(url: str, cookie: str, verb: str = "done") -> dict[str, Press]:
    """Every ``verb`` button of the directed accounts' pages as the process at ``url`` served them, by address."""
    found: dict[str, Press] = {}
    with _browser(url, cookie) as client:
        for account in DIRECTED:
            page = client.get(f"/accounts/{account}")
            assert page.status_code == 200, page.text
            for form in parse_page(page.text).find_all(lambda e: e.tag == "form"):
                if form.attrs.get("action", "").endswith(f"/{verb}"):
                    found[form.attrs["action"]] = Press(form.attrs["action"], _fields(form))
    assert found
    return found


def _fields(form: Element) -> dict[str, str]:
    return {e.attrs["name"]: e.attrs.get("value", "") for e in form.find_all(lambda e: e.tag == "input")}


def _press(url: str, cookie: str, press: Press) -> httpx.Response:
    """The button pressed on the process at ``url``, on a connection of its own (a proxy may pick any process)."""
    with _browser(url, cookie) as client:
        return client.post(press.url, data=press.fields, headers={"Origin": f"http://{SITE}"})


def _taken(answer: httpx.Response, press: Press) -> bool:
    """Whether the press was done: back to the page it came from."""
    return answer.status_code == 303 and answer.headers["location"] == press.fields["next"]


def _resolved(answer: httpx.Response) -> bool:
    """Whether the press came after the night resolved its advice (said so on a page: nothing left to do)."""
    return answer.status_code == 409 and "is resolved" in answer.text


def _done(db: Path) -> int:
    """How many times u-ad marked advice done, by the store."""
    opened = Store(db)
    try:
        return int(
            opened.db.execute("select count(*) from status_history where by = 'u-ad' and status = 'done'").fetchone()[0]
        )
    finally:
        opened.close()


def test_two_processes_and_a_batch_on_one_store(store: tuple[Path, Path, str]) -> None:
    db, folder, token = store
    first_port, second_port = free_port(), free_port()
    with _serving(db, first_port) as first, _serving(db, second_port) as second:
        cookie = _login(first.url, token)
        with closing(_browser(second.url, cookie)) as client:  # the login on the first holds on the second
            assert client.get("/").status_code == 200
        served_by_first, served_by_second = _presses(first.url, cookie), _presses(second.url, cookie)
        assert served_by_first.keys() == served_by_second.keys()
        addresses = sorted(served_by_first)
        kept = served_by_first[addresses.pop()]  # pressed after the first process restarts
        half = len(addresses) // 2
        # Each page's buttons pressed on the other process, while the next night's batch writes into the store.
        crossed = [(second.url, served_by_first[a]) for a in addresses[:half]]
        crossed += [(first.url, served_by_second[a]) for a in addresses[half:]]
        night = _batch(folder, db, "2026-11-21")
        answers = [(_press(url, cookie, press), press) for url, press in crossed]
        _, stderr = night.communicate(timeout=300)
        assert night.returncode == 0 and "busy" not in stderr, stderr
    assert [a.text for a, _ in answers if OUT_OF_DATE in a.text] == []
    assert [a.text for a, press in answers if not _taken(a, press) and not _resolved(a)] == []
    taken = sum(_taken(a, press) for a, press in answers)
    assert taken >= len(answers) // 2 and len(answers) >= 10
    with _serving(db, first_port) as first:  # restarted: its sessions and its forms are the store's
        answer = _press(first.url, cookie, kept)
        assert _taken(answer, kept) or _resolved(answer), answer.text
        taken += _taken(answer, kept)
    assert _done(db) == taken


def _workers_of(parent: int) -> list[int]:
    """The worker processes uvicorn's supervisor started (its children but multiprocessing's resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(c) for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_serve_workers_2_takes_every_form_either_process_gave(store: tuple[Path, Path, str]) -> None:
    db, _, token = store
    opened = Store(db)
    try:
        admin = create_token(opened, "ops", "admin")[1]
    finally:
        opened.close()
    with _serving(db, free_port(), "--workers", "2") as served:
        assert len(_workers_of(served.pid)) == 2
        cookie = _login(served.url, token)
        presses = list(_presses(served.url, cookie).values())
        answers = [_press(served.url, cookie, press) for press in presses]  # each on a new connection: either worker
        scrapes = [_pressed_by_metrics(served.url, admin) for _ in range(4)]  # whichever process answers: the sum
    assert scrapes == [len(presses)] * 4
    assert [a.text for a, press in zip(answers, presses, strict=True) if not _taken(a, press)] == []
    assert len(answers) >= 20 and _done(db) == len(answers)
    assert served.ended == [143]  # SIGTERM ends it as it ends one process: "terminated", 143


def _pressed_by_metrics(url: str, token: str) -> int:
    """How many buttons' posts were answered 303, as ``/metrics`` counts them."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        text = client.get("/metrics").text
    labels = ('method="POST"', 'route="/recommendations/{rec_id}/{verb}"', 'status="303"')
    for line in text.splitlines():
        if line.startswith("kamengine_http_requests_total{") and all(label in line for label in labels):
            return int(float(line.rsplit(" ", 1)[1]))
    return 0


def test_the_form_secret_is_the_store_s_unless_the_environment_gives_one(store: tuple[Path, Path, str]) -> None:
    db, _, token = store
    one, other = Store(db), Store(db)
    try:
        assert kept_secret(one) == kept_secret(other) and len(kept_secret(one) or b"") == 32
    finally:
        one.close()
        other.close()
    given = {**os.environ, "KAMENGINE_FORM_SECRET": "s" * 64}
    first_port, second_port = free_port(), free_port()
    with _serving(db, first_port, env=given) as first, _serving(db, second_port, env=given) as second:
        cookie = _login(first.url, token)
        press = next(iter(_presses(first.url, cookie).values()))
        assert _taken(_press(second.url, cookie, press), press)
        fresh = next(iter(_presses(first.url, cookie).values()))
    with _serving(db, first_port) as first:  # the store's secret again: a form the given one keyed is out of date
        assert OUT_OF_DATE in _press(first.url, cookie, fresh).text
    short = subprocess.run(
        [SCRIPT, "--config", "/dev/null", "serve", "--port", str(first_port), "--db", str(db)],
        env={**os.environ, "KAMENGINE_FORM_SECRET": "short"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert short.returncode == 2 and "KAMENGINE_FORM_SECRET: at least 32 characters" in short.stderr
    assert "Traceback" not in short.stderr and len(short.stderr.strip().splitlines()) == 1


def test_workers_must_be_one_or_more(tmp_path: Path) -> None:
    done = subprocess.run(
        [SCRIPT, "--config", "/dev/null", "serve", "--workers", "0", "--db", str(tmp_path / "k.db")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and re.search(r"--workers.*0 is not in the range x>=1", done.stderr), done.stderr


def test_every_process_of_serve_workers_loads_what_the_command_was_given(tmp_path: Path) -> None:
    given = (
        "--no-auth",
        "--no-builtin",
        "--rules",
        str(REPO / "rules" / "deals.yaml"),
        "--param",
        "cold_after_days=45",
    )
    with _serving(tmp_path / "k.db", free_port(), *given) as one:
        (alone,) = {_loaded(one.url) for _ in range(2)}
    with _serving(tmp_path / "k.db", free_port(), "--workers", "2", *given) as served:
        each = {_loaded(served.url) for _ in range(8)}  # eight connections: both processes
    assert each == {alone} and alone[1] == ("kam-deals",)  # the revision hashes the parameters' values too


def _loaded(url: str) -> tuple[str, tuple[str, ...]]:
    """The revision and the playbooks of the process that answers at ``url``."""
    rules = httpx.get(f"{url}/v1/rules", timeout=60).json()
    return rules["revision"], tuple(playbook["id"] for playbook in rules["playbooks"])


def test_the_settings_handed_to_each_process_come_back_as_given() -> None:
    given = ServeSettings(
        "/srv/k.db", "/srv/kamengine.toml", False, 1800.0, ("/srv/team rules",), True,
        {"since": dt.date(2026, 1, 2), "days": 45, "word": "yes", "empty": "", "list": [1, "x"], "none": None},
    )  # fmt: skip
    handed = given.dumps()
    assert "\n" not in handed and ServeSettings.loads(handed) == given  # a date stays a date, "yes" a word
    assert ServeSettings.loads(ServeSettings("/srv/k.db").dumps()) == ServeSettings("/srv/k.db")
