from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import UNSUB

import presend
from presend.smtp import CheckedSMTP


class _Handler(socketserver.StreamRequestHandler):
    """A minimal SMTP server: records envelope recipients of each accepted mail."""

    def handle(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        rcpts: list[str] = []
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "MAIL":
                rcpts = []
                self.wfile.write(b"250 ok\r\n")
            elif verb == "RCPT":
                addr = cmd.split(":", 1)[1].strip().strip("<>")
                if addr.startswith("reject"):
                    self.wfile.write(b"550 no\r\n")
                else:
                    rcpts.append(addr)
                    self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go\r\n")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                server.delivered.append(rcpts)
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    delivered: list[list[str]]


@pytest.fixture
def smtp_server() -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.delivered = []
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()


def _mail(*to: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "News <news@example.com>"
    m["To"] = ", ".join(to)
    m["Subject"] = "weekly"
    for k, v in UNSUB:
        m[k] = v
    m.set_content("hello")
    return m


def test_smtp_sends_only_allowed(engine: presend.Engine, smtp_server: _Server) -> None:
    host, port = smtp_server.server_address[:2]
    with CheckedSMTP(str(host), port, engine=engine, presend={"list": "weekly"}) as s:
        s.send_message(_mail("alice@example.org", "nobody@example.org"))
        assert s.last_decision is not None and s.last_decision.verdict is presend.Verdict.PARTIAL
        with pytest.raises(presend.Blocked) as info:
            s.send_message(_mail("nobody@example.org"))
        assert info.value.decision.recipients[0].reason_codes == ["consent.missing"]
    assert smtp_server.delivered == [["alice@example.org"]]
    assert engine.quota_status()["sent_24h"] == 1


def test_smtp_releases_when_send_fails(engine: presend.Engine, smtp_server: _Server, tmp_path: Path) -> None:
    engine.consent_put(address="reject@example.org", list="weekly")
    host, port = smtp_server.server_address[:2]
    with CheckedSMTP(str(host), port, engine=engine, presend={"list": "weekly"}) as s:
        with pytest.raises(Exception):
            s.send_message(_mail("reject@example.org"))
        assert s.last_decision is not None
        with pytest.raises(presend.StateError):
            engine.release(s.last_decision)  # already released by the wrapper
    assert smtp_server.delivered == []
    assert engine.quota_status()["sent_24h"] == 0


def test_smtp_deferred(engine: presend.Engine, smtp_server: _Server) -> None:
    engine.pause("prod")
    host, port = smtp_server.server_address[:2]
    with CheckedSMTP(str(host), port, engine=engine, presend={"list": "weekly"}) as s:
        with pytest.raises(presend.Deferred):
            s.send_message(_mail("alice@example.org"))
    assert smtp_server.delivered == []


django = pytest.importorskip("django")


@pytest.fixture
def django_settings(engine: presend.Engine) -> Iterator[None]:
    from django.conf import settings

    if not settings.configured:
        settings.configure(EMAIL_BACKEND="presend.django.EmailBackend")
        django.setup()
    from django.test.utils import override_settings

    with override_settings(EMAIL_BACKEND="presend.django.EmailBackend",
                           PRESEND_WRAPPED_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                           PRESEND_ENGINE=engine, PRESEND_DEFAULTS={"list": "weekly"}):
        from django.core import mail

        mail.outbox = []
        yield


def test_django_backend_drops_blocked(django_settings: None, engine: presend.Engine) -> None:
    from django.core import mail

    msg = mail.EmailMessage("hi", "body", "News <news@example.com>", ["Alice <alice@example.org>"],
                            bcc=["nobody@example.org"], headers=dict(UNSUB))
    assert msg.send() == 1
    blocked = mail.EmailMessage("hi", "body", "news@example.com", ["nobody@example.org"], headers=dict(UNSUB))
    assert blocked.send() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Alice <alice@example.org>"] and mail.outbox[0].bcc == []


def test_django_backend_defers(django_settings: None, engine: presend.Engine) -> None:
    from django.core import mail

    engine.pause("prod")
    def msg() -> mail.EmailMessage:
        return mail.EmailMessage("hi", "body", "news@example.com", ["alice@example.org"], headers=dict(UNSUB))

    with pytest.raises(presend.Deferred) as info:
        msg().send()
    assert info.value.decision.reason_codes == ["reputation.paused"]
    from django.test.utils import override_settings

    with override_settings(PRESEND_ON_DEFER="drop"):
        assert msg().send() == 0
    assert mail.outbox == []
