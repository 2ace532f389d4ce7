"""Settings: declared once, read from the environment (``HUIQI_*``), built by a function.

| setting | default | meaning |
|---|---|---|
| ``HUIQI_POLICIES`` | ``policies`` | folder of policy packs (relative: in the current folder, else the checkout's) |
| ``HUIQI_DATA`` | ``var/demo/enterprises.yaml`` | enterprise file used by the CLI until a database is set |
| ``HUIQI_POPULATION`` | ``var/demo/park.parquet`` | enterprises (Parquet) for match-all, near-miss, simulate |
| ``HUIQI_LANG`` | ``zh`` | language of messages: zh or en |
| ``HUIQI_AS_OF`` | today (China) | evaluation date when a command is not given one |
| ``HUIQI_DATABASE_URL`` | ``sqlite:///var/huiqi.db`` | the platform database, as the service connects to it |
| ``HUIQI_MIGRATION_DATABASE_URL`` | (the same) | the database as its owner, who migrates it (README: database roles) |
| ``HUIQI_ENV`` | ``development`` | development, test or production |
| ``HUIQI_SECRET_KEY`` | (none) | signs sessions, seals TOTP keys; required outside development |
| ``HUIQI_HOST`` | ``127.0.0.1`` | address ``huiqi serve`` listens on |
| ``HUIQI_PORT`` | ``8000`` | port ``huiqi serve`` listens on |
| ``HUIQI_WORKERS`` | ``1`` | server processes of ``huiqi serve`` |
| ``HUIQI_SESSION_TTL_MINUTES`` | ``480`` | a sign-in expires after this many minutes |
| ``HUIQI_RATE_LIMIT_STORAGE`` | ``memory://`` | rate limits counted here, or in ``redis://host:6379/0`` (all) |
| ``HUIQI_RATE_LIMIT_ANONYMOUS_PER_MINUTE`` | ``120`` | requests without a sign-in per client address (0: none) |
| ``HUIQI_RATE_LIMIT_CALCULATOR_PER_MINUTE`` | ``60`` | requests to the calculator per client address (0: none) |
| ``HUIQI_RATE_LIMIT_LOGIN_PER_MINUTE`` | ``10`` | attempts to sign in per client address (0: none) |
| ``HUIQI_RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE`` | ``10`` | failed attempts to sign in per account (0: none) |
| ``HUIQI_LOGIN_MAX_FAILURES`` | ``5`` | failed sign-ins in a row (one user name, one address) that lock them |
| ``HUIQI_LOCKOUT_MINUTES`` | ``15`` | how long a pair's first lock lasts (each next lock twice as long) |
| ``HUIQI_LOCKOUT_MAX_MINUTES`` | ``1440`` | the longest a lock lasts |
| ``HUIQI_PASSWORD_MIN_LENGTH`` | ``12`` | shortest password accepted |
| ``HUIQI_PASSWORD_MIN_CLASSES`` | ``3`` | of upper case, lower case, digits, symbols, how many a password needs |
| ``HUIQI_PASSWORD_HASH_TIME_COST`` | ``3`` | argon2id passes |
| ``HUIQI_PASSWORD_HASH_MEMORY_KIB`` | ``65536`` | argon2id memory in KiB |
| ``HUIQI_PASSWORD_HASH_PARALLELISM`` | ``4`` | argon2id lanes |
| ``HUIQI_IMPORT_BATCH_ROWS`` | ``5000`` | rows written per batch by an import |
| ``HUIQI_IMPORT_MAX_PROBLEMS`` | ``1000`` | problems listed in an import report (the rest are counted) |
| ``HUIQI_IMPORT_LOCK_AFTER_ROWS`` | ``0`` | PostgreSQL: rows after which an owner's import locks its tables (0 never) |
| ``HUIQI_PAGE_SIZE_MAX`` | ``500`` | largest page a list in the API returns |
| ``HUIQI_MATCH_CACHE_MB`` | ``64`` | memory per server process for computed matches (0: none) |
| ``HUIQI_MATCH_PRECOMPUTE`` | ``true`` | at start-up, compute every enterprise's match into that memory |
| ``HUIQI_REQUEST_MAX_KB`` | ``1024`` | largest request body of any address but an upload, in KiB |
| ``HUIQI_UPLOAD_MAX_MB`` | ``64`` | largest upload (an import file, a policy pack, an edited pack file) |
| ``HUIQI_PACK_MAX_MB`` | ``8`` | a policy pack's files together, unpacked |
| ``HUIQI_PACK_MAX_FILES`` | ``500`` | files in one policy pack |
| ``HUIQI_ZIP_MAX_RATIO`` | ``100`` | a zip entry unpacking to more than this many times its packed size is refused |
| ``HUIQI_XLSX_MAX_UNPACKED_MB`` | ``512`` | an Excel workbook's parts together, unpacked |
| ``HUIQI_XLSX_MAX_STRINGS_MB`` | ``8`` | a workbook's shared strings, unpacked (held in memory: up to ~6 times this) |
| ``HUIQI_XLSX_MAX_PART_KB`` | ``256`` | any other part of a workbook but its worksheets (styles, theme, …), unpacked |
| ``HUIQI_IMPORT_MAX_CELL_CHARS`` | ``32767`` | longest cell of an import file (Excel's own limit) |
| ``HUIQI_WORKER_EMBEDDED`` | ``true`` | ``huiqi serve`` fires due timers itself (false: run ``huiqi worker`` apart) |
| ``HUIQI_WORKER_POLL_SECONDS`` | ``5`` | how often a worker looks for due timers |
| ``HUIQI_PARK_CONTACT`` | (none) | the park's contact at the foot of every PDF (e.g. ``企业服务中心 0592-…``) |
| ``HUIQI_PUSH_BASE_URL`` | ``http://127.0.0.1:8000`` | the address the links in push messages open |
| ``HUIQI_PUSH_SMTP_HOST`` | (none) | SMTP server for e-mail messages (none: no e-mail) |
| ``HUIQI_PUSH_SMTP_PORT`` | ``25`` | its port |
| ``HUIQI_PUSH_SMTP_USER`` | (none) | SMTP login (none: no login) |
| ``HUIQI_PUSH_SMTP_PASSWORD`` | (none) | SMTP password (secret: never printed) |
| ``HUIQI_PUSH_SMTP_STARTTLS`` | ``false`` | STARTTLS before the login |
| ``HUIQI_PUSH_SMTP_FROM`` | ``huiqi@localhost`` | the sender of e-mail messages |
| ``HUIQI_PUSH_WECOM_URL`` | (none) | WeCom group robot webhook (holds its key: secret) |
| ``HUIQI_PUSH_DINGTALK_URL`` | (none) | DingTalk group robot webhook (secret) |
| ``HUIQI_PUSH_DINGTALK_SECRET`` | (none) | DingTalk 加签 secret (HMAC-SHA256 of the timestamp) |
| ``HUIQI_PUSH_FEISHU_URL`` | (none) | Feishu group robot webhook (secret) |
| ``HUIQI_PUSH_FEISHU_SECRET`` | (none) | Feishu 签名校验 secret (HMAC-SHA256 of the timestamp) |
| ``HUIQI_PUSH_SMS_URL`` | (none) | the SMS provider's endpoint (none: no SMS) |
| ``HUIQI_PUSH_SMS_KEY`` | (none) | the SMS provider's API key (secret) |
| ``HUIQI_PUSH_CLOSING_DAYS`` | ``3`` | working days before a window closes that the eligible are reminded |
| ``HUIQI_PUSH_MAX_ATTEMPTS`` | ``6`` | tries of a delivery before it goes to the dead letters |
| ``HUIQI_PUSH_LEASE_SECONDS`` | ``300`` | a delivery claimed by a worker that died is sent again after this |
| ``HUIQI_PUSH_RATE_PER_MINUTE`` | e-mail 600, SMS 60, WeCom 20, DingTalk 20, Feishu 100 | sends a minute per channel |
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of huiqi. The table in this module's docstring is checked by a test."""

    model_config = SettingsConfigDict(env_prefix="HUIQI_", extra="ignore")

    policies: Path = Field(default=Path("policies"), description="folder of policy packs")
    data: Path = Field(default=Path("var/demo/enterprises.yaml"),
                       description="enterprise file used by the CLI")
    population: Path = Field(default=Path("var/demo/park.parquet"),
                             description="enterprises (Parquet) for population runs")
    lang: Literal["zh", "en"] = Field(default="zh", description="language of messages")
    as_of: dt.date | None = Field(default=None, description="evaluation date; today if unset")
    database_url: str = Field(default="sqlite:///var/huiqi.db", description="the database")
    migration_database_url: str | None = Field(
        default=None, description="the database as its owner, who migrates it")
    env: Literal["development", "test", "production"] = "development"
    secret_key: str | None = None
    host: str = Field(default="127.0.0.1", description="address huiqi serve listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="port huiqi serve listens on")
    workers: int = Field(default=1, ge=1, le=64, description="server processes")
    session_ttl_minutes: int = Field(default=480, ge=1, description="sign-in lifetime")
    rate_limit_storage: str = Field(
        default="memory://", pattern=r"^(memory|redis|rediss|redis\+unix|valkey|valkeys)://",
        description="where rate limits are counted")
    rate_limit_anonymous_per_minute: int = Field(default=120, ge=0,
                                                 description="anonymous requests per address")
    rate_limit_calculator_per_minute: int = Field(default=60, ge=0,
                                                  description="calculator requests per address")
    rate_limit_login_per_minute: int = Field(default=10, ge=0,
                                             description="sign-in attempts per address")
    rate_limit_login_account_per_minute: int = Field(default=10, ge=0,
                                                     description="failed sign-ins per account")
    login_max_failures: int = Field(default=5, ge=1,
                                    description="failures that lock a user name and address")
    lockout_minutes: int = Field(default=15, ge=1, description="how long a first lock lasts")
    lockout_max_minutes: int = Field(default=1440, ge=1, description="the longest lock")
    password_min_length: int = Field(default=12, ge=8, description="shortest password")
    password_min_classes: int = Field(default=3, ge=1, le=4, description="character classes")
    password_hash_time_cost: int = Field(default=3, ge=1, description="argon2id passes")
    password_hash_memory_kib: int = Field(default=65536, ge=1024, description="argon2id memory")
    password_hash_parallelism: int = Field(default=4, ge=1, description="argon2id lanes")
    import_batch_rows: int = Field(default=5000, ge=1, description="rows per write batch")
    import_max_problems: int = Field(default=1000, ge=1, description="problems listed")
    import_lock_after_rows: int = Field(
        default=0, ge=0, description="PostgreSQL: rows after which the tables' owner's import "
        "locks the entities to its end and checks its foreign keys once (0: never)")
    page_size_max: int = Field(default=500, ge=1, description="largest page in the API")
    match_cache_mb: int = Field(default=64, ge=0, description="cache of computed matches")
    match_precompute: bool = Field(default=True, description="compute every match at start-up")
    # ---- input limits: request bodies, uploads, archives, spreadsheets (issue 10)
    request_max_kb: int = Field(default=1024, ge=1, description="largest request body (KiB)")
    upload_max_mb: int = Field(default=64, ge=1, description="largest upload (MiB)")
    pack_max_mb: int = Field(default=8, ge=1, description="a policy pack, unpacked (MiB)")
    pack_max_files: int = Field(default=500, ge=1, description="files in a policy pack")
    zip_max_ratio: int = Field(default=100, ge=2, description="largest zip compression ratio")
    xlsx_max_unpacked_mb: int = Field(default=512, ge=1, description="a workbook, unpacked")
    xlsx_max_strings_mb: int = Field(default=8, ge=1, description="shared strings, unpacked")
    xlsx_max_part_kb: int = Field(default=256, ge=16, description="other workbook parts")
    import_max_cell_chars: int = Field(default=32767, ge=1, le=131072,
                                       description="longest cell of an import")
    # ---- the worker that fires timers (issue 14)
    worker_embedded: bool = Field(default=True, description="huiqi serve fires due timers")
    worker_poll_seconds: float = Field(default=5.0, gt=0, le=3600,
                                       description="how often a worker looks for due timers")
    park_contact: str = Field(default="", max_length=200,
                              description="the park's contact on every PDF page")
    # ---- push (issue 15): channels; secrets are SecretStr (never printed, never in repr)
    push_base_url: str = Field(default="http://127.0.0.1:8000",
                               description="the address links in messages open")
    push_smtp_host: str = Field(default="", description="SMTP server (empty: no e-mail)")
    push_smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port")
    push_smtp_user: str = Field(default="", description="SMTP user (empty: no login)")
    push_smtp_password: SecretStr | None = Field(default=None, description="SMTP password")
    push_smtp_starttls: bool = Field(default=False, description="STARTTLS before login")
    push_smtp_from: str = Field(default="huiqi@localhost", description="sender address")
    push_wecom_url: SecretStr | None = Field(default=None,
                                             description="WeCom group robot webhook (has its key)")
    push_dingtalk_url: SecretStr | None = Field(default=None,
                                                description="DingTalk robot webhook")
    push_dingtalk_secret: SecretStr | None = Field(default=None,
                                                   description="DingTalk robot signing secret")
    push_feishu_url: SecretStr | None = Field(default=None, description="Feishu robot webhook")
    push_feishu_secret: SecretStr | None = Field(default=None,
                                                 description="Feishu robot signing secret")
    push_sms_url: str = Field(default="", description="SMS provider endpoint (empty: no SMS)")
    push_sms_key: SecretStr | None = Field(default=None, description="SMS provider API key")
    push_closing_days: int = Field(default=3, ge=1, le=30,
                                   description="working days before a programme's window "
                                               "closes that eligible enterprises are reminded")
    push_max_attempts: int = Field(default=6, ge=1, description="tries before a dead letter")
    push_lease_seconds: int = Field(default=300, ge=5,
                                    description="a delivery claimed by a dead worker is retried")
    push_rate_per_minute: dict[str, int] = Field(
        default={"email": 600, "sms": 60, "wecom": 20, "dingtalk": 20, "feishu": 100},
        description="deliveries per minute per channel (group robots' own limits)")

    @field_validator("policies")
    @classmethod
    def _policies_from_anywhere(cls, v: Path) -> Path:
        return shipped(v)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The evaluation date: ``as_of`` if set, else China's date now (or at ``now``) —
        the same day for the CLI and the service, whatever the machine's time zone."""
        from huiqi.clock import china_date

        return self.as_of or china_date(now)

    def check_secrets(self) -> Settings:
        """Refuse a missing, short or well-known secret key outside development."""
        if self.env == "development":
            return self
        key = self.secret_key or ""
        if len(key) < 32 or key.lower() in _DEFAULT_SECRETS or len(set(key)) < 8:
            from huiqi.errors import UsageError
            from huiqi.messages import message

            raise UsageError(message("settings.secret"))
        return self

    def secret(self) -> bytes:
        """The key that signs session tokens and seals stored secrets (a fixed one only in
        development)."""
        return (self.secret_key or "huiqi-development-only-secret").encode()


_DEFAULT_SECRETS = {"changeme", "change-me", "secret", "password", "huiqi",
                    "huiqi-development-only-secret", "x" * 32, "0" * 32}


#: the checkout huiqi runs from (``src/huiqi/settings.py`` → the repository root)
CHECKOUT = Path(__file__).resolve().parents[2]


def shipped(path: Path) -> Path:
    """A relative path to something that comes with huiqi (``policies``,
    ``examples/reforms``): in the current folder if it is there, else in the checkout huiqi
    runs from, else where a wheel installed it (``<prefix>/share/huiqi``, pyproject's
    data-files) — so that ``huiqi init-demo`` and the sample reforms work from any folder.
    An absolute path, or one found nowhere, is returned as it is (and reported where used)."""
    import sys

    if path.is_absolute() or path.exists():
        return path
    for root in (CHECKOUT, Path(sys.prefix) / "share" / "huiqi"):
        if (root / path).exists():
            return root / path
    return path


def get_settings() -> Settings:
    """Read the settings from the environment now (never at import time)."""
    return Settings()


def service_settings(**overrides: object) -> Settings:
    """Settings for running the platform service: refuses default secrets outside development."""
    return Settings(**overrides).check_secrets()  # type: ignore[arg-type]
