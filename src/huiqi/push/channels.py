"""The external channels: e-mail over SMTP, the group robots of WeCom, DingTalk and Feishu
(their own message formats and signatures), SMS through a provider.

Every send carries the delivery's idempotency key (``Message-ID`` of an e-mail, ``key``
for the SMS provider, the message text's last line for robots), so a receiver can see that
a message sent again after a worker died between sending and recording it is the same one.
A channel that fails raises :class:`ChannelError`; the delivery is tried again later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from huiqi.settings import Settings

TIMEOUT = 20.0


class ChannelError(Exception):
    """A channel refused or could not be reached (the delivery is tried again)."""


class NotConfigured(ChannelError):
    """The channel has no settings (HUIQI_PUSH_…)."""


@dataclass(frozen=True)
class Outgoing:
    """What a channel sends: one message, in Chinese first (then English)."""

    key: str
    address: str
    title: str
    body: str
    link: str

    def text(self) -> str:
        return f"{self.title}\n\n{self.body}\n\n{self.link}"


def message_id(key: str) -> str:
    """The same Message-ID for every try of one delivery (receivers can drop repeats)."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@huiqi.push>"


def send_email(settings: Settings, out: Outgoing) -> None:
    if not settings.push_smtp_host:
        raise NotConfigured("HUIQI_PUSH_SMTP_HOST is not set")
    mail = EmailMessage()
    mail["From"] = settings.push_smtp_from
    mail["To"] = out.address
    mail["Subject"] = out.title
    mail["Message-ID"] = message_id(out.key)
    mail["X-Huiqi-Key"] = out.key
    mail.set_content(f"{out.body}\n\n{out.link}\n")
    try:
        with smtplib.SMTP(settings.push_smtp_host, settings.push_smtp_port,
                          timeout=TIMEOUT) as smtp:
            if settings.push_smtp_starttls:
                smtp.starttls()
            if settings.push_smtp_user:
                password = settings.push_smtp_password
                smtp.login(settings.push_smtp_user,
                           password.get_secret_value() if password else "")
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise ChannelError(f"SMTP: {type(exc).__name__}: {exc}") from None


def _post(url: str, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
          ) -> Any:
    data = json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            raw = resp.read()
    except OSError as exc:  # URLError, HTTPError, timeouts; the URL may hold a key: not shown
        raise ChannelError(f"HTTP: {type(exc).__name__}") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise ChannelError("HTTP: not JSON") from None


def _secret(value: Any) -> str:
    if value is None:
        raise NotConfigured("channel not configured")
    return str(value.get_secret_value())


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's 签名校验: base64(HMAC-SHA256(key="timestamp\\nsecret", empty message))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _markdown(out: Outgoing) -> str:
    return f"### {out.title}\n\n{out.body}\n\n[查看 / Open]({out.link})\n\n<!-- {out.key} -->"


def send_wecom(settings: Settings, out: Outgoing, now: Callable[[], float] = time.time) -> None:
    url = _secret(settings.push_wecom_url)
    answer = _post(url, {"msgtype": "markdown", "markdown": {"content": _markdown(out)}})
    if answer.get("errcode") != 0:
        raise ChannelError(f"WeCom: {answer.get('errcode')} {answer.get('errmsg')}")


def send_dingtalk(settings: Settings, out: Outgoing,
                  now: Callable[[], float] = time.time) -> None:
    url = _secret(settings.push_dingtalk_url)
    if settings.push_dingtalk_secret is not None:
        ts = int(now() * 1000)
        sign = dingtalk_sign(_secret(settings.push_dingtalk_secret), ts)
        url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign}"
    answer = _post(url, {"msgtype": "markdown",
                         "markdown": {"title": out.title, "text": _markdown(out)}})
    if answer.get("errcode") != 0:
        raise ChannelError(f"DingTalk: {answer.get('errcode')} {answer.get('errmsg')}")


def send_feishu(settings: Settings, out: Outgoing, now: Callable[[], float] = time.time) -> None:
    url = _secret(settings.push_feishu_url)
    body: dict[str, Any] = {"msg_type": "text",
                            "content": {"text": f"{out.text()}\n({out.key})"}}
    if settings.push_feishu_secret is not None:
        ts = int(now())
        body = {"timestamp": str(ts), "sign": feishu_sign(_secret(settings.push_feishu_secret),
                                                          ts), **body}
    answer = _post(url, body)
    code = answer.get("code", answer.get("StatusCode"))
    if code != 0:
        raise ChannelError(f"Feishu: {code} {answer.get('msg')}")


class SmsProvider(Protocol):
    """An SMS provider: sends ``text`` to ``phone`` once per ``key``."""

    def __call__(self, settings: Settings, phone: str, text: str, key: str) -> None: ...


def http_sms(settings: Settings, phone: str, text: str, key: str) -> None:
    """A provider behind a JSON endpoint: ``{"phone", "text", "key"}`` with a bearer key;
    it answers ``{"ok": true}``."""
    if not settings.push_sms_url:
        raise NotConfigured("HUIQI_PUSH_SMS_URL is not set")
    headers = {}
    if settings.push_sms_key is not None:
        headers["Authorization"] = f"Bearer {settings.push_sms_key.get_secret_value()}"
    answer = _post(settings.push_sms_url, {"phone": phone, "text": text, "key": key}, headers)
    if answer.get("ok") is not True:
        raise ChannelError(f"SMS: {answer.get('error', 'refused')}")


SMS: SmsProvider = http_sms


def send_sms(settings: Settings, out: Outgoing) -> None:
    # SMS is short: the title and the link
    SMS(settings, out.address, f"【惠企】{out.title} {out.link}", out.key)


Sender = Callable[[Settings, Outgoing], None]

#: channel → how it sends (tests may replace one)
CHANNELS: dict[str, Sender] = {
    "email": send_email, "wecom": send_wecom, "dingtalk": send_dingtalk,
    "feishu": send_feishu, "sms": send_sms,
}
#: the group robots: one configured robot each, its address is the channel's name
ROBOTS = ("wecom", "dingtalk", "feishu")


def configured(settings: Settings) -> list[str]:
    """The channels that have their settings."""
    have = {"email": bool(settings.push_smtp_host), "sms": bool(settings.push_sms_url),
            "wecom": settings.push_wecom_url is not None,
            "dingtalk": settings.push_dingtalk_url is not None,
            "feishu": settings.push_feishu_url is not None}
    return [c for c, ok in have.items() if ok]
