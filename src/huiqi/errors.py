"""The exception tree of huiqi.

Every error huiqi raises on purpose derives from :class:`HuiqiError` and can say
what went wrong in Chinese and in English, written for the person who has to fix
it rather than for a programmer::

    HuiqiError                anything huiqi raises on purpose
    ├── InputError            something a person gave is wrong; nothing was changed
    │   ├── PackError         a policy pack failed checking; carries every problem
    │   ├── DataError         an enterprise data file failed checking; carries every problem
    │   ├── CreditCodeError   a 统一社会信用代码 is invalid; carries the position and reason
    │   ├── UsageError        a command was asked for in a way that cannot work
    │   ├── InvalidRequest    an API request's parameters or body do not fit; carries every problem
    │   └── TooLarge          a request, upload or archive passes a size limit; carries the limit
    ├── NotFoundError         an enterprise, policy, clause or file does not exist
    ├── RuleError             a checked rule could not be evaluated as written
    ├── AuthenticationError   who is asking is not known: no, a wrong or an expired sign-in
    ├── PermissionDenied      the signed-in person may not do this; the refusal is audited
    ├── RateLimited           too many requests from one address or for one account; wait
    └── Conflict              the request cannot be done in the present state

Catch :class:`InputError` to report a user's mistake; catch :class:`HuiqiError`
at the edge of the program (the CLI, the API) to turn it into a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from huiqi.messages import message
from huiqi.text import Lang, Text


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in a file a person wrote: what, where, and how to fix it."""

    code: str
    message: Text
    hint: Text | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    snippet: str | None = None
    path: tuple[str | int, ...] = field(default_factory=tuple)

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self, lang: Lang = "zh") -> str:
        out = f"{self.location}: [{self.code}] {self.message.get(lang)}"
        if self.snippet:
            out += f"\n    {self.snippet}"
        if self.hint is not None:
            label = "提示" if lang == "zh" else "hint"
            out += f"\n    {label}: {self.hint.get(lang)}"
        return out

    def as_dict(self, lang: Lang | None = None) -> dict[str, object]:
        def pick(t: Text | None) -> object:
            if t is None:
                return None
            return t.get(lang) if lang else t.as_dict()

        return {
            "code": self.code,
            "message": pick(self.message),
            "hint": pick(self.hint),
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "snippet": self.snippet,
            "path": list(self.path),
        }


class HuiqiError(Exception):
    """Base of every error huiqi raises on purpose."""

    code = "error"

    def __init__(self, text: Text) -> None:
        super().__init__(text.zh)
        self.text = text

    def message(self, lang: Lang = "zh") -> str:
        return self.text.get(lang)


class InputError(HuiqiError):
    """Something a person gave is wrong; nothing was changed."""

    code = "input"


class _ProblemsError(InputError):
    summary_code = "pack.rejected"

    def __init__(self, problems: Sequence[Problem], subject: str) -> None:
        self.problems = list(problems)
        self.subject = subject
        super().__init__(message(self.summary_code, subject=subject, count=len(self.problems)))

    def message(self, lang: Lang = "zh") -> str:
        lines = [self.text.get(lang)]
        lines.extend(p.render(lang) for p in self.problems)
        return "\n".join(lines)


class PackError(_ProblemsError):
    """A policy pack failed checking. Nothing of it was loaded."""

    code = "pack"
    summary_code = "pack.rejected"


class DataError(_ProblemsError):
    """An enterprise data file failed checking. Nothing of it was loaded."""

    code = "data"
    summary_code = "data.rejected"


class CreditCodeError(InputError):
    """A 统一社会信用代码 (GB 32100-2015) is invalid."""

    code = "credit_code"

    def __init__(self, value: str, position: int | None, reason: Text) -> None:
        self.value = value
        self.position = position
        self.reason = reason
        if position is None:
            text = message("credit_code.invalid", value=value, reason_zh=reason.zh,
                           reason_en=reason.en)
        else:
            text = message("credit_code.invalid_at", value=value, position=position,
                           reason_zh=reason.zh, reason_en=reason.en)
        super().__init__(text)


class UsageError(InputError):
    """A command or request was asked for in a way that cannot work."""

    code = "usage"


class NotFoundError(HuiqiError):
    """An enterprise, policy, clause or file does not exist."""

    code = "not_found"

    def __init__(self, kind: Text, key: str, suggestions: Iterable[str] = ()) -> None:
        self.kind = kind
        self.key = key
        self.suggestions = list(suggestions)
        hint = ""
        if self.suggestions:
            hint = ", ".join(self.suggestions)
        text = message("not_found", kind_zh=kind.zh, kind_en=kind.en, key=key)
        if hint:
            text = text + message("did_you_mean", names=hint)
        super().__init__(text)


class RuleError(HuiqiError):
    """A checked rule could not be evaluated as written (a mistake in the pack)."""

    code = "rule"


# ---------------------------------------------------------------- the platform service


class AuthenticationError(HuiqiError):
    """Who is asking is not known: no sign-in, a wrong password or code, an expired session,
    a locked account. ``reason`` is the message code (``auth.*``)."""

    code = "authentication"

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message(reason, **params))


class PermissionDenied(HuiqiError):
    """The signed-in person may not do this (their role lacks ``permission``, or the
    enterprise is not theirs)."""

    code = "permission_denied"

    def __init__(self, permission: str, target: str | None = None) -> None:
        self.permission = permission
        self.target = target
        if target:
            text = message("permission.denied_target", permission=permission, target=target)
        else:
            text = message("permission.denied", permission=permission)
        super().__init__(text)


class RateLimited(HuiqiError):
    """Too many requests from one client address, or sign-ins for one account, within a
    minute; ``retry_after`` seconds until one more is let through."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message("rate.limited", seconds=retry_after))


class Conflict(HuiqiError):
    """The request cannot be done in the present state (e.g. publishing a retired version,
    creating an account whose name is taken). ``reason`` is the message code."""

    code = "conflict"

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message(reason, **params))


class TooLarge(InputError):
    """A request body, an upload or what an archive unpacks to passes a limit (a setting);
    it was refused as soon as the limit was passed, before it was all read. ``reason`` is
    the message code."""

    code = "too_large"

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message(reason, **params))


class InvalidRequest(InputError):
    """An API request's parameters or body do not fit what the endpoint takes."""

    code = "invalid_request"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        head = message("request.invalid", count=len(self.problems))
        shown = self.problems[:5]
        super().__init__(Text(head.zh + ":" + ";".join(p.message.zh for p in shown),
                              head.en + ": " + "; ".join(p.message.en for p in shown)))
