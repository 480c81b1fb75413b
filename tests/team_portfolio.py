"""The bundled examples copied into a portfolio of 40 accounts served by one team of eight (an AD, three ARs, two
SRs, two FRs), for the service's week pages and calendars; each copy gets new ids and its roles' owners from the
team; the AD and the SRs have an e-mail, the others none."""

from __future__ import annotations

from typing import Any

import yaml
from serving import Running
from support import REPO

EXAMPLES = [REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]
AD = {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive", "email": "chen.jing@example.com"}
ARS = [{"id": f"u-ar{n}", "name": f"Account Rep {n}", "role": "AR", "level": "middle"} for n in (1, 2, 3)]
SRS = [
    {"id": f"u-sr{n}", "name": f"Solution Rep {n}", "role": "SR", "level": "senior", "email": f"sr{n}@example.com"}
    for n in (1, 2)
]  # the ARs and FRs have no e-mail on the team
FRS = [{"id": f"u-fr{n}", "name": f"Fulfilment Rep {n}", "role": "FR", "level": "middle"} for n in (1, 2)]
TEAM = [AD, *ARS, *SRS, *FRS]


def portfolio(accounts: int = 40) -> list[tuple[str, str]]:
    """``(account id, snapshot YAML)`` of each copy: the AD on every account, the others in turn."""
    bases = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in EXAMPLES]
    copies = []
    for n in range(accounts):
        data = yaml.safe_load(yaml.safe_dump(bases[n % len(bases)]))  # a deep copy
        team = [AD, ARS[n % 3], SRS[n % 2], FRS[n % 2]]
        by_role = {member["role"]: member["id"] for member in team}
        owners = {member["id"]: by_role[member["role"]] for member in data["team"]}
        data["account"]["id"] = account_id = f"{data['account']['id']}-{n:02d}"
        data["account"]["name"] = f"{data['account']['name']} {n:02d}"
        data["team"] = [{k: v for k, v in member.items()} for member in team]
        _reown(data, owners)
        copies.append((account_id, yaml.safe_dump(data, allow_unicode=True)))
    return copies


def _reown(node: Any, owners: dict[str, str]) -> None:
    """Every ``owner`` in the snapshot becomes the new team's member in the same role."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "owner" and isinstance(value, str):
                node[key] = owners.get(value, value)
            else:
                _reown(value, owners)
    elif isinstance(node, list):
        for value in node:
            _reown(value, owners)


def load_portfolio(running: Running, admin: str, accounts: int = 40) -> list[str]:
    """Store each copy's snapshot through the API (which advises it); the account ids, in order."""
    with running.client(admin) as client:
        for account_id, text in portfolio(accounts):
            answer = client.put(f"/v1/accounts/{account_id}/snapshot", content=text.encode())
            assert answer.status_code == 200, answer.text
    return [account_id for account_id, _ in portfolio(accounts)]
