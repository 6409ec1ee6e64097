"""The weekly digest by e-mail, against a real SMTP server on 127.0.0.1 (aiosmtpd) that
speaks STARTTLS or TLS with a certificate from a throw-away CA: one multipart message
(plain text and HTML), the login taken from environment variables, and each week sent
once — a second run, a restarted daemon or a second reporter sends nothing more."""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
import trustme
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.errors import ReportError
from monitor.runtime import Settings, open_analysis_pipeline

REPO = Path(__file__).resolve().parents[2]
WEEK = "2024-W44"
USER, PASSWORD = "monitor", "s3cret-for-tests"


@dataclass
class Mailbox:
    """What the server accepted."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        raw = envelope.original_content or envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(raw, policy=default))  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))  # type: ignore[attr-defined]
        return "250 OK"


def _login(
    server: object, session: object, envelope: object, mechanism: str, data: object
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _server(ca: trustme.CA, *, implicit_tls: bool) -> tuple[Controller, Mailbox]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    mailbox = Mailbox()
    options: dict[str, object] = {
        "authenticator": _login,
        "auth_require_tls": True,
    }
    if implicit_tls:
        options["ssl_context"] = context
        # aiosmtpd cannot see that an SMTPS socket is encrypted; it is, from the first byte
        options["auth_require_tls"] = False
    else:
        options["tls_context"] = context
        options["require_starttls"] = True
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    return controller, mailbox


@pytest.fixture
def starttls(ca: trustme.CA) -> Iterator[tuple[int, Mailbox]]:
    controller, mailbox = _server(ca, implicit_tls=False)
    yield controller.port, mailbox
    controller.stop()


def _settings(tmp_path: Path, ca: trustme.CA, port: int, security: str) -> Settings:
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    sources = yaml.safe_load((REPO / "sources.yaml").read_text(encoding="utf-8"))
    sources.setdefault("digest", {})["email"] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": security,
        "sender": "Monitor <monitor@example.org>",
        "recipients": ["analyst@example.org", "desk@example.org"],
        "ca_file": str(ca_file),
        "timeout_seconds": 10,
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    return Settings(
        storage=tmp_path / "storage", sources_path=path, positions_path=REPO / "positions.yaml"
    )


def _write_and_mail(settings: Settings) -> str:
    async def run() -> str:
        with open_analysis_pipeline(settings) as pipeline:
            paths = pipeline.write_digest(WEEK, settings.digest_dir)
            return pipeline.mail_digest(WEEK, paths)

    return asyncio.run(run())


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_SMTP_USER", USER)
    monkeypatch.setenv("MONITOR_SMTP_PASSWORD", PASSWORD)


def test_the_digest_arrives_as_plain_text_and_html_over_starttls(
    tmp_path: Path, ca: trustme.CA, starttls: tuple[int, Mailbox], login: None
) -> None:
    port, mailbox = starttls
    assert _write_and_mail(_settings(tmp_path, ca, port, "starttls")) == "sent"
    [message] = mailbox.messages
    assert message["Subject"] == f"Russia–DPRK coverage digest {WEEK}: 0 pieces"
    assert message["From"] == "Monitor <monitor@example.org>"
    assert mailbox.envelopes == [
        ("monitor@example.org", ["analyst@example.org", "desk@example.org"])
    ]
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain.get_content().startswith(f"# Russia–DPRK coverage digest, {WEEK}")
    assert '<h2 id="glance-h">At a glance</h2>' in html.get_content()
    assert html.get_content_charset() == "utf-8"


def test_each_week_is_sent_once_even_after_a_restart(
    tmp_path: Path, ca: trustme.CA, starttls: tuple[int, Mailbox], login: None
) -> None:
    port, mailbox = starttls
    settings = _settings(tmp_path, ca, port, "starttls")
    assert _write_and_mail(settings) == "sent"
    assert _write_and_mail(settings) == "already sent"  # a new pipeline: as after a restart
    assert len(mailbox.messages) == 1


def test_tls_from_the_first_byte_works_too(tmp_path: Path, ca: trustme.CA, login: None) -> None:
    controller, mailbox = _server(ca, implicit_tls=True)
    try:
        assert _write_and_mail(_settings(tmp_path, ca, controller.port, "ssl")) == "sent"
    finally:
        controller.stop()
    assert len(mailbox.messages) == 1


def test_a_refused_login_is_a_clear_error_and_the_week_stays_unsent(
    tmp_path: Path,
    ca: trustme.CA,
    starttls: tuple[int, Mailbox],
    login: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, mailbox = starttls
    settings = _settings(tmp_path, ca, port, "starttls")
    monkeypatch.setenv("MONITOR_SMTP_PASSWORD", "wrong")
    with pytest.raises(ReportError, match="refused the login of 'monitor'"):
        _write_and_mail(settings)
    monkeypatch.setenv("MONITOR_SMTP_PASSWORD", PASSWORD)
    assert _write_and_mail(settings) == "sent"  # the failed attempt did not count as sent
    assert len(mailbox.messages) == 1


def test_a_server_whose_certificate_is_not_trusted_is_refused(
    tmp_path: Path, ca: trustme.CA, starttls: tuple[int, Mailbox], login: None
) -> None:
    port, mailbox = starttls
    settings = _settings(tmp_path, trustme.CA(), port, "starttls")  # another CA
    with pytest.raises(ReportError, match="certificate verify failed"):
        _write_and_mail(settings)
    assert mailbox.messages == []


def test_no_login_is_ever_sent_without_tls(
    tmp_path: Path, ca: trustme.CA, starttls: tuple[int, Mailbox], login: None
) -> None:
    port, mailbox = starttls
    with pytest.raises(ReportError, match="unencrypted"):
        _write_and_mail(_settings(tmp_path, ca, port, "none"))
    assert mailbox.messages == []


def test_without_email_settings_nothing_is_sent(tmp_path: Path) -> None:
    settings = Settings(
        storage=tmp_path / "storage",
        sources_path=REPO / "sources.yaml",
        positions_path=REPO / "positions.yaml",
    )
    assert _write_and_mail(settings) == "not configured"
