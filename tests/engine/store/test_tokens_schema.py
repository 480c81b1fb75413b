"""A store opened before the tokens' module was imported gets the tokens' schema when a token or session is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# A fresh interpreter: in this one, other tests have imported engine/store/tokens.py (and its migration) already.
SCRIPT = """
import sys
from kamengine.engine.api import Engine
from kamengine.engine.api.stores import open_store

store = open_store(sys.argv[1], must_exist=False)  # as a batch or the service opens it
assert "kamengine.engine.store.tokens" not in sys.modules, "the API imported the tokens' module with the Engine"
assert "expires_at" not in store.db["tokens"].columns_dict, "a batch's store has no tokens' migration"
holder = Engine.verify_token(store, Engine.create_token(store, "crm", "admin")[1])
key = Engine.start_session(store, holder)
assert Engine.session_holder(store, key) == holder
Engine.end_session(store, key)
assert Engine.session_holder(store, key) is None
assert not Engine.token_expired(Engine.list_tokens(store)[0]["expires_at"])
"""


def test_a_store_opened_before_the_tokens_module_takes_its_migration_on_first_use(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "k.db")], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
