"""The published JSON Schema is up to date, and every policy file in the repository
validates against it (so an editor using the schema agrees with the checker)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from huiqi.rules.format import pack_schema, policy_schema

ROOT = Path(__file__).parents[2]


def test_published_schemas_are_current() -> None:
    for name, schema in (("policy", policy_schema()), ("pack", pack_schema())):
        on_disk = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert on_disk == json.loads(json.dumps(schema)), \
            f"schema/{name}.schema.json is stale: run `huiqi schema schema`"


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k.isoformat() if isinstance(k, dt.date) else k): _jsonable(x)
                for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal | float):
        return str(v)
    return v


POLICY_FILES = sorted(p for base in (ROOT / "policies", ROOT / "tests" / "packs")
                      for p in base.rglob("*.yaml") if p.name != "pack.yaml")
PACK_FILES = sorted(p for base in (ROOT / "policies", ROOT / "tests" / "packs")
                    for p in base.rglob("pack.yaml"))


@pytest.mark.parametrize("path", POLICY_FILES, ids=[str(p.relative_to(ROOT)) for p in POLICY_FILES])
def test_policy_files_validate_against_the_schema(path: Path) -> None:
    data = _jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))
    jsonschema.validate(data, policy_schema())


@pytest.mark.parametrize("path", PACK_FILES, ids=[str(p.relative_to(ROOT)) for p in PACK_FILES])
def test_pack_files_validate_against_the_schema(path: Path) -> None:
    data = _jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))
    jsonschema.validate(data, pack_schema())


def test_the_schema_rejects_what_the_checker_rejects() -> None:
    bad = {"id": "x", "title": "t", "issuer": "i", "dates": {"effective": "2024-01-01"},
           "source": {"text": "t"}, "clauses": [{"id": "c", "title": "t", "conditons": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, policy_schema())
