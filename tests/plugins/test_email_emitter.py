"""The email emitter against a real SMTP server on 127.0.0.1 (aiosmtpd), STARTTLS with a certificate made here."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kamengine.cli import main
from kamengine.plugins import email_digest
from support import REPO, example_recommendations

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
PASSWORD = "smtp-pass-8c1e4f"
ADDRESSES = {
    "u-ad": "chen@example.com",
    "u-ar": "li@example.com",
    "u-sr": "sofia@example.com",
    "u-fr": "omar@example.com",
}
MONDAY = dt.date(2026, 12, 7)  # the week 2026-W50 runs to Sunday 13 December


@dataclass
class Mailbox:
    """What the server took: each message with whether it came over TLS and who logged in."""

    messages: list[tuple[EmailMessage, bool, str | None]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        login = session.auth_data.decode() if session.authenticated else None
        self.messages.append((message, session.ssl is not None, login))  # type: ignore[arg-type]
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"kam" and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False, auth_data=b"kam" if ok else None)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kamengine test SMTP")])
    now = dt.datetime.now(dt.UTC)
    names = x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2)).add_extension(names, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "cert.pem", folder / "key.pem"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    mailbox: Mailbox
    port: int


def _server(certificate: tuple[Path, Path] | None) -> Iterator[Server]:
    import ssl

    mailbox = Mailbox()
    options: dict[str, Any] = {}
    if certificate:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        options = {"tls_context": context, "require_starttls": True, "authenticator": _authenticate}
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, auth_require_tls=True, **options)
    controller.start()
    try:
        yield Server(mailbox, port)
    finally:
        controller.stop()


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[Server]:
    yield from _server(certificate)


@pytest.fixture(autouse=True)
def _monday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(email_digest, "today", lambda: MONDAY)
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)


def _settings(tmp_path: Path, port: int, cafile: Path | None, extra: str = "") -> str:
    addresses = ", ".join(f'{person} = "{address}"' for person, address in ADDRESSES.items())
    ca = f'cafile = "{cafile}"\n' if cafile else ""
    (tmp_path / "mail.toml").write_text(
        f'[digest]\nhost = "127.0.0.1"\nport = {port}\nsender = "kamengine@example.com"\nusername = "kam"\n'
        f'password = "${{SMTP_PASSWORD}}"\n{ca}addresses = {{ {addresses} }}\n{extra}',
        encoding="utf-8",
    )
    return f"email:{tmp_path / 'mail.toml'}#digest"


def _advise(spec: str) -> Result:
    return CliRunner().invoke(main, ["advise", str(EXAMPLE), "--emit", spec])


def _expected() -> dict[str, list[dict[str, Any]]]:
    """Each address's recommendations: the ones it owns or attends."""
    found: dict[str, list[dict[str, Any]]] = {}
    for document in example_recommendations():
        for person in email_digest.people(document):
            found.setdefault(ADDRESSES[person["id"]], []).append(document)
    return found


def test_each_person_gets_one_digest_of_their_changes_and_week_over_starttls(
    tmp_path: Path, smtp: Server, certificate: tuple[Path, Path]
) -> None:
    result = _advise(_settings(tmp_path, smtp.port, certificate[0]))
    assert result.exit_code == 0, result.output
    expected = _expected()
    assert f"email: {len(expected)} digest(s) sent via 127.0.0.1:{smtp.port}" in result.stderr
    assert sorted(m["To"].addresses[0].addr_spec for m, _, _ in smtp.mailbox.messages) == sorted(expected)
    assert [(tls, login) for _, tls, login in smtp.mailbox.messages] == [(True, "kam")] * len(expected)
    for message, _, _ in smtp.mailbox.messages:
        mine = expected[message["To"].addresses[0].addr_spec]
        text = message.get_content()
        week = [d for d in mine if dt.date.fromisoformat(d["due"]) <= dt.date(2026, 12, 13)]
        assert text.count("[new] ") == len(mine)
        assert all(f"[new] {d['due']}  {d['account_name']} — {d['title']}" in text for d in mine)
        assert (
            message["Subject"]
            == f"kamengine — your week 2026-W50: {len(week)} to do, {len(mine)} new, 0 changed, 0 closed"
        )
        listed = text.split("Your week, to Sunday 2026-12-13", 1)[1].splitlines()
        assert [line.split("  ")[1] for line in listed if line.startswith("  20")] == sorted(d["due"] for d in week)
        assert sum(line.endswith("overdue") for line in listed) == sum(d["due"] < "2026-12-07" for d in week)
    assert PASSWORD not in result.output + result.stderr


def test_a_nightly_batch_mails_what_changed_once(tmp_path: Path, smtp: Server, certificate: tuple[Path, Path]) -> None:
    spec = _settings(tmp_path, smtp.port, certificate[0])
    args = ["batch", "--source", f"file:{EXAMPLE}", "--db", str(tmp_path / "k.db"), "--workers", "1", "--emit", spec]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert len(smtp.mailbox.messages) == len(_expected())
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "nothing changed since the last delivery; no digest sent" in again.stderr
    assert len(smtp.mailbox.messages) == len(_expected())


def test_one_refused_address_fails_the_delivery_naming_it_and_the_others_get_theirs(
    tmp_path: Path, smtp: Server, certificate: tuple[Path, Path]
) -> None:
    smtp.mailbox.refuse.add("li@example.com")
    result = _advise(_settings(tmp_path, smtp.port, certificate[0]))
    assert result.exit_code == 1
    assert "refused: li@example.com: 550 5.1.1 mailbox unavailable" in result.stderr
    assert len(smtp.mailbox.messages) == len(_expected()) - 1


def test_the_server_s_certificate_is_verified(tmp_path: Path, smtp: Server) -> None:
    result = _advise(_settings(tmp_path, smtp.port, None))
    assert result.exit_code == 1 and smtp.mailbox.messages == []
    assert f"127.0.0.1:{smtp.port}: TLS failed: CERTIFICATE_VERIFY_FAILED (a private CA: set cafile)" in result.stderr


def test_a_server_without_starttls_gets_no_mail_and_no_password(tmp_path: Path) -> None:
    for plain in _server(None):
        result = _advise(_settings(tmp_path, plain.port, None))
        assert result.exit_code == 1 and plain.mailbox.messages == []
        assert f"127.0.0.1:{plain.port} does not offer STARTTLS; kamengine sends no mail in clear" in result.stderr


def test_a_wrong_password_is_named_without_the_password(
    tmp_path: Path, smtp: Server, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-password-123")
    result = _advise(_settings(tmp_path, smtp.port, certificate[0]))
    assert result.exit_code == 1 and smtp.mailbox.messages == []
    assert f"127.0.0.1:{smtp.port} refused the login of kam: 535" in result.stderr
    assert "wrong-password-123" not in result.stderr


def test_starttls_off_is_only_for_a_relay_on_this_machine_and_people_without_an_address_are_named(
    tmp_path: Path,
) -> None:
    (tmp_path / "m.toml").write_text('host = "smtp.example.com"\nsender = "k@example.com"\nstarttls = false\n')
    result = _advise(f"email:{tmp_path / 'm.toml'}")
    assert f"{tmp_path / 'm.toml'}: starttls = false would send the mail and the password in clear" in result.stderr
    for plain in _server(None):
        (tmp_path / "r.toml").write_text(
            f'host = "127.0.0.1"\nport = {plain.port}\nsender = "k@example.com"\nstarttls = false\n'
            'addresses = { u-ad = "chen@example.com" }\n'
        )
        result = _advise(f"email:{tmp_path / 'r.toml'}")
        assert result.exit_code == 0, result.output
        assert [m["To"].addresses[0].addr_spec for m, _, _ in plain.mailbox.messages] == ["chen@example.com"]
    assert "no e-mail address for Li Wei (u-ar), Omar Haddad (u-fr), Sofia Marin (u-sr)" in result.stderr


def _document(id: str, due: str, owner: dict[str, Any], *attendees: dict[str, Any]) -> dict[str, Any]:
    return {"id": id, "account_id": "a", "account_name": "ACME", "title": f"title {id}", "rationale": "", "due": due,
            "priority": 1.0, "owner": owner, "attendees": list(attendees)}  # fmt: skip


def test_who_gets_what_the_owner_and_attendees_at_their_team_entry_s_email_else_the_table_s() -> None:
    chen = {"id": "u-ad", "name": "Chen Jing", "role": "AD", "email": "chen@team.example"}
    li = {"id": "u-ar", "name": "Li Wei", "role": "AR"}
    omar = {"id": "u-fr", "name": "Omar Haddad", "role": "FR"}
    visit = _document("r1", "2026-12-08", chen, li, chen)  # the owner listed again among attendees: one copy
    review = _document("r2", "2026-12-20", li)  # after Sunday: a change, not in the week
    old = _document("r3", "2026-12-01", omar)  # not changed tonight: in nobody's changes, in Omar's week only
    book = email_digest.Addressbook({"u-ad": "ignored@example.com", "u-ar": "li@example.com"})
    changes = [("new", visit), ("changed", review)]
    current = [("open", visit), ("open", review), ("open", old), ("dismissed", _document("r4", "2026-12-08", li))]
    digests = {d.address: d for d in email_digest.gather(changes, current, book)}
    assert sorted(digests) == ["chen@team.example", "li@example.com"]  # Omar had no change, and has no address
    assert [(e, d["id"]) for e, d in digests["chen@team.example"].changes] == [("new", "r1")]
    assert [(e, d["id"]) for e, d in digests["li@example.com"].changes] == [("new", "r1"), ("changed", "r2")]
    assert [d["id"] for d in digests["li@example.com"].week] == ["r1"]  # open and due by Sunday 13 December
    assert book.unreachable == {"u-fr": "Omar Haddad"}


def test_after_a_refused_address_a_later_deliver_mails_what_was_missed_and_not_what_went_through(
    tmp_path: Path, smtp: Server, certificate: tuple[Path, Path]
) -> None:
    spec = _settings(tmp_path, smtp.port, certificate[0])
    smtp.mailbox.refuse.add("omar@example.com")
    args = ["batch", "--source", f"file:{EXAMPLE}", "--db", str(tmp_path / "k.db"), "--workers", "1", "--emit", spec]
    night = CliRunner().invoke(main, args)
    assert night.exit_code == 1 and "refused: omar@example.com: 550" in night.stderr
    first = {m["To"].addresses[0].addr_spec: m for m, _, _ in smtp.mailbox.messages}
    assert "omar@example.com" not in first and len(first) == len(_expected()) - 1
    smtp.mailbox.refuse.clear()
    smtp.mailbox.messages.clear()
    later = CliRunner().invoke(main, ["deliver", "--db", str(tmp_path / "k.db")])
    assert later.exit_code == 0, later.output
    omars = {d["id"] for d in _expected()["omar@example.com"]}
    again = {m["To"].addresses[0].addr_spec: m.get_content() for m, _, _ in smtp.mailbox.messages}
    assert "omar@example.com" in again
    for address, text in again.items():  # only Omar's recommendations are sent again, to each of their people
        sent = {d["id"] for d in _expected()[address] if f"— {d['title']}" in text.split("Your week")[0]}
        assert sent <= omars and sent
