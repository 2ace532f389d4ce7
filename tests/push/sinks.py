"""Receivers the push tests start: a real SMTP server (aiosmtpd) and a local HTTP server
playing WeCom's, DingTalk's and Feishu's group robots and an SMS provider — each checks what
the real one checks (DingTalk's and Feishu's signatures) and records what it received."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

DINGTALK_SECRET = "SECdingtalk-test-secret"
FEISHU_SECRET = "feishu-test-secret"
SMS_KEY = "sms-test-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    hold: float = 0.0  # seconds the server waits before accepting (a slow server)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.hold:
            time.sleep(self.hold)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


@dataclass
class Hooks:
    """What the HTTP server received, per path; ``fail`` makes every answer an error."""

    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    fail: bool = False

    def count(self, path: str) -> int:
        return len(self.received.get(path, []))


def _handler(hooks: Hooks) -> type[BaseHTTPRequestHandler]:
    class H(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, body: dict[str, Any], status: int = 200) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if hooks.fail:
                self._answer({"errcode": 500, "code": 500, "ok": False}, 500)
                return
            path = url.path.strip("/")
            ok = True
            if path == "dingtalk":  # 加签: timestamp (ms) and sign in the query
                ts = query.get("timestamp", "")
                want = base64.b64encode(hmac.new(
                    DINGTALK_SECRET.encode(), f"{ts}\n{DINGTALK_SECRET}".encode(),
                    hashlib.sha256).digest()).decode()
                ok = query.get("sign") == want and body.get("msgtype") == "markdown"
                ok = ok and abs(time.time() * 1000 - int(ts or 0)) < 3600_000
            elif path == "feishu":  # 签名校验: timestamp (s) and sign in the body
                ts = body.get("timestamp", "")
                want = base64.b64encode(hmac.new(
                    f"{ts}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
                ok = body.get("sign") == want and body.get("msg_type") == "text"
            elif path == "wecom":
                ok = query.get("key") == "wecom-key" and body.get("msgtype") == "markdown"
            elif path == "sms":
                ok = self.headers.get("Authorization") == f"Bearer {SMS_KEY}"
            if not ok:
                hooks.refused.append(path)
                self._answer({"errcode": 310000, "errmsg": "sign not match", "code": 19021,
                              "msg": "sign match fail", "ok": False, "error": "auth"})
                return
            hooks.received.setdefault(path, []).append(body)
            self._answer({"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success",
                          "ok": True})

    return H


@dataclass
class Sinks:
    mailbox: Mailbox
    hooks: Hooks
    smtp_port: int
    http: str

    def settings(self) -> dict[str, object]:
        return {"push_smtp_host": "127.0.0.1", "push_smtp_port": self.smtp_port,
                "push_wecom_url": f"{self.http}/wecom?key=wecom-key",
                "push_dingtalk_url": f"{self.http}/dingtalk?access_token=t",
                "push_dingtalk_secret": DINGTALK_SECRET,
                "push_feishu_url": f"{self.http}/feishu", "push_feishu_secret": FEISHU_SECRET,
                "push_sms_url": f"{self.http}/sms", "push_sms_key": SMS_KEY,
                "push_base_url": "http://huiqi.test"}

    def env(self) -> dict[str, str]:
        out = {}
        for k, v in self.settings().items():
            out["HUIQI_" + k.upper()] = str(v)
        return out


def start() -> Iterator[Sinks]:
    mailbox, hooks = Mailbox(), Hooks()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hooks))
    t = threading.Thread(target=http.serve_forever, daemon=True)
    t.start()
    try:
        yield Sinks(mailbox, hooks, port, f"http://127.0.0.1:{http.server_address[1]}")
    finally:
        http.shutdown()
        http.server_close()
        smtp.stop()
