"""What the running service holds: its engine (one for every language), a pool of store connections, locks."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kamengine.engine.api import Engine
from kamengine.engine.api.access import DEFAULT_IDLE, TokenHolder
from kamengine.engine.api.on_demand import DecisionLog, release
from kamengine.engine.api.options import Registry, RunOptions
from kamengine.engine.api.stores import Store, default_db_path, open_store
from kamengine.engine.errors import UsageError
from kamengine.engine.model.config import Config

from .calls import Workers

#: Who a request speaks for when the service runs with --no-auth (on a loopback address only).
LOCAL = TokenHolder("local", "local", "admin")
#: The pages' form secret for deployments that keep secrets outside the store (every process given the same).
FORM_SECRET_VARIABLE = "KAMENGINE_FORM_SECRET"
FORM_SECRET_SHORTEST = 32  # characters: a secret anyone could guess keys nothing


def given_form_secret() -> bytes | None:
    """``$KAMENGINE_FORM_SECRET`` as bytes, None when it is not set; a short one is refused in one line."""
    given = os.environ.get(FORM_SECRET_VARIABLE, "")
    if not given:
        return None
    if len(given.strip()) < FORM_SECRET_SHORTEST:
        raise UsageError(
            f"{FORM_SECRET_VARIABLE}: at least {FORM_SECRET_SHORTEST} characters"
            " (python -c 'import secrets; print(secrets.token_hex(32))' draws one)"
        )
    return given.strip().encode()


class Service:
    """One server's engine, store and locks; made once at start, closed at shutdown."""

    def __init__(
        self,
        db_path: str | Path | None = None,
        *,
        auth: bool = True,
        config: Config | None = None,
        registry: Registry | None = None,
        session_idle: dt.timedelta = DEFAULT_IDLE,
        rules: Sequence[str] | None = None,
        no_builtin: bool = False,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        given_secret = given_form_secret()  # a short one stops the start before the playbooks are compiled
        self.auth = auth
        self.session_idle = session_idle  # a page session ends after this long without a page view
        self.registry = registry or Registry()
        self.config = config or Config()
        self.db_path = Path(db_path) if db_path else default_db_path()
        #: The playbooks the batch loads too (``--rules``, else kamengine.toml's [playbooks] paths): advice whose
        #: rule is not among them is left as it is by a refresh, never resolved (``loaded_rules``).
        self.rules = tuple(self.config.playbook_paths if rules is None else rules)
        self.no_builtin, self.params = no_builtin, dict(params or {})
        options = RunOptions(rules=self.rules, no_builtin=no_builtin, params=self.params, config=self.config)
        #: One engine, its playbooks compiled once: each request asks for its language.
        self._engine = Engine(options, self.registry)
        _ = self._engine.advisor  # compiled now: a playbook durable rejects stops the start, not a request
        self.decisions = DecisionLog(self.config.retention.decision_log_days)
        #: The threads that advise for requests, reused (service/calls.py): starting one per request cost more.
        self.workers = Workers("kamengine: advising this account")
        self._pool: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self._opened: list[Store] = []
        self._opened_lock = threading.Lock()
        self._accounts_lock = threading.Lock()
        self._account_locks: dict[str, threading.Lock] = {}
        #: Held by each write of this process: its threads take turns at the store (fair, no polling)
        #: instead of all asking SQLite, whose busy handler sleeps and retries.
        self.writing = threading.Lock()
        with self.store() as store:  # the store is created and migrated before the first request
            #: What the pages' form tokens are keyed by: the settings' (the environment), else the store's, so that
            #: every process serving the store, and this one after a restart, takes the forms the others gave.
            kept = given_secret or Engine.form_secret(store)
            if auth:  # the tokens' schema readied now, by the one process starting, not raced to by several
                Engine.list_tokens(store)  # at their first login (engine/store/tokens.py's ``ready``)
        self.form_secret = kept or secrets.token_bytes(32)  # a read-only store: this process's own

    def engine(self) -> Engine:
        """The server's engine (its playbooks compiled once, for every language)."""
        return self._engine

    @property
    def revision(self) -> str:
        return self.engine().revision

    @property
    def loaded_rules(self) -> frozenset[str]:
        """The ids (``playbook/rule``) of every rule this server evaluates."""
        return frozenset(rule.qualified_id for playbook in self.engine().spec.playbooks for rule in playbook.rules)

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        """A store connection of the pool for this request (SQLite connections are not shared by threads at once)."""
        try:
            opened = self._pool.get_nowait()
        except queue.Empty:
            with self._opened_lock:  # one at a time: opening migrates, and migrations must not race
                opened = open_store(self.db_path, self.registry.actions, must_exist=False)
                self._opened.append(opened)
        try:
            yield opened
        finally:
            release(opened)  # a request that failed half-way leaves nothing open
            self._pool.put(opened)

    def account_lock(self, account_id: str) -> threading.Lock:
        """The lock that serialises snapshot updates of one account in this process."""
        with self._accounts_lock:
            return self._account_locks.setdefault(account_id, threading.Lock())

    def close(self) -> None:
        """Close every store connection and free the compiled rules (at shutdown)."""
        with self._opened_lock:
            for opened in self._opened:
                opened.close()
            self._opened.clear()
        self.workers.close()
        self._engine.close()
