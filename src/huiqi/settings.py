"""Settings: declared once, read from the environment (``HUIQI_*``), built by a function.

| setting | default | meaning |
|---|---|---|
| ``HUIQI_POLICIES`` | ``policies`` | folder of policy packs |
| ``HUIQI_DATA`` | ``var/demo/enterprises.yaml`` | enterprise file used by the CLI until a database is set |
| ``HUIQI_LANG`` | ``zh`` | language of messages: zh or en |
| ``HUIQI_AS_OF`` | today | evaluation date when a command is not given one |
| ``HUIQI_DATABASE_URL`` | ``sqlite:///var/huiqi.db`` | the platform database |
| ``HUIQI_ENV`` | ``development`` | development, test or production |
| ``HUIQI_SECRET_KEY`` | (none) | signs sessions; required outside development |
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of huiqi. The table in this module's docstring is checked by a test."""

    model_config = SettingsConfigDict(env_prefix="HUIQI_", extra="ignore")

    policies: Path = Field(default=Path("policies"), description="folder of policy packs")
    data: Path = Field(default=Path("var/demo/enterprises.yaml"),
                       description="enterprise file used by the CLI")
    lang: Literal["zh", "en"] = Field(default="zh", description="language of messages")
    as_of: dt.date | None = Field(default=None, description="evaluation date; today if unset")
    database_url: str = Field(default="sqlite:///var/huiqi.db", description="the database")
    env: Literal["development", "test", "production"] = "development"
    secret_key: str | None = None

    def today(self) -> dt.date:
        return self.as_of or dt.date.today()


def get_settings() -> Settings:
    """Read the settings from the environment now (never at import time)."""
    return Settings()
