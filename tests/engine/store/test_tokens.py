"""API tokens: shown once, kept as a hash, refused once revoked, indistinguishable when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from kamengine.engine.store.store import Store
from kamengine.engine.store.store_file import StoreError
from kamengine.engine.store.tokens import create_token, list_tokens, revoke_token, verify_token


def test_a_token_is_kept_as_its_hash_and_checked(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    token_id, token = create_token(store, "u-ar", "act")
    holder = verify_token(store, token)
    assert holder is not None and (holder.token_id, holder.member, holder.scope) == (token_id, "u-ar", "act")
    assert holder.may("read") and holder.may("act") and not holder.may("admin")
    assert token not in str(list(store.db.table("tokens").rows)) and "hash" not in list_tokens(store)[0]
    for wrong in ("", "kam", token[:-1], token + "x", f"kam_{token_id}_", "kam_nothere_x", token.upper()):
        assert verify_token(store, wrong) is None, wrong
    revoke_token(store, token_id)
    assert verify_token(store, token) is None and list_tokens(store)[0]["revoked_at"]
    with pytest.raises(StoreError, match="unknown scope 'root'"):
        create_token(store, "u-ar", "root")
    store.close()
