"""E-mail delivery of the weekly digest: one multipart message (the Markdown digest as
plain text, the HTML digest as the rich part) sent over SMTP with STARTTLS or TLS.

``compose`` is pure; ``send`` is the only I/O. The SMTP login comes from the environment
variables the settings name, never from a file; a login is never sent over an
unencrypted connection, and the server's certificate is always verified (``ca_file`` adds
a private CA, it never turns verification off). That each week goes out once, even across
restarts, is the store's record (see ``Pipeline.mail_digest``).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from monitor.config import EmailSettings
from monitor.errors import ReportError


def compose(
    *,
    week: str,
    articles: int,
    html: str,
    markdown: str,
    settings: EmailSettings,
    now: datetime,
) -> EmailMessage:
    """The digest as an e-mail: text/plain (Markdown) with a text/html alternative."""
    message = EmailMessage()
    message["Subject"] = (
        f"Russia–DPRK coverage digest {week}: {articles} piece{'' if articles == 1 else 's'}"
    )
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = format_datetime(now)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(idstring=week, domain=domain)
    message["X-Monitor-Week"] = week
    message.set_content(markdown, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def send(message: EmailMessage, settings: EmailSettings, env: Mapping[str, str]) -> None:
    """Hand the message to the SMTP server; raises ``ReportError`` (reason ``email``) with
    the server's or the network's own words when it is not accepted."""
    user = env.get(settings.username_env) or None
    password = env.get(settings.password_env) or None
    if (user is None) != (password is None):
        missing = settings.password_env if password is None else settings.username_env
        raise ReportError(f"e-mail: {missing} is not set (both or neither)", reason="email")
    if user is not None and settings.security == "none":
        raise ReportError(
            "e-mail: refusing to send the SMTP login over an unencrypted connection; "
            "set digest.email.security to starttls or ssl",
            reason="email",
        )
    where = f"{settings.smtp_host}:{settings.port}"
    try:
        context = ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ReportError(
            f"e-mail: cannot read ca_file {settings.ca_file}: {exc}", reason="email"
        ) from exc
    try:
        if settings.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.port, timeout=settings.timeout_seconds, context=context
            )
        else:
            client = smtplib.SMTP(
                settings.smtp_host, settings.port, timeout=settings.timeout_seconds
            )
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if user is not None and password is not None:
                client.login(user, password)
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise ReportError(
            f"e-mail: {where} refused the login of {user!r}: {_said(exc)}", reason="email"
        ) from exc
    except smtplib.SMTPException as exc:
        raise ReportError(f"e-mail: {where}: {_said(exc)}", reason="email") from exc
    except OSError as exc:  # refused, unreachable, TLS handshake, timeout (all OSError)
        raise ReportError(f"e-mail: cannot reach {where}: {exc}", reason="email") from exc
    if refused:
        raise ReportError(f"e-mail: {where} refused {', '.join(sorted(refused))}", reason="email")


def _said(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}"
    return str(exc)
