"""Bilingual text: everything a user reads is Simplified Chinese first, English available."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of user-facing text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.zh

    def format(self, **params: object) -> Text:
        return Text(self.zh.format(**params), self.en.format(**params))

    def __add__(self, other: Text) -> Text:
        return Text(self.zh + other.zh, self.en + other.en)

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


def text_of(value: object) -> Text:
    """Read a label written in a policy or catalogue file: ``{zh:, en:}`` or one string."""
    if isinstance(value, Text):
        return value
    if isinstance(value, dict):
        zh = str(value.get("zh") or value.get("en") or "")
        en = str(value.get("en") or value.get("zh") or "")
        return Text(zh, en)
    return Text(str(value), str(value))
