"""Schemathesis against the OpenAPI spec, in-process (ASGI), signed in as an administrator:
no request it can make gets a 5xx, and every response matches the spec (status code,
content type, headers, body schema). Runs on both databases."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from huiqi.api import create_app
from huiqi.store.database import Database
from properties import examples
from service_fixtures import World, auth, make_settings

# the spec is read from an app over an empty in-memory database; the requests go to an app
# over the test database (passed to each call)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(make_settings(), database=Database.connect("sqlite://")))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=examples(12), deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(case: Any, api: tuple[World, Any]) -> None:
    world, client = api
    case.call_and_validate(app=client.app, headers=auth(world.tokens["admin"]), checks=CHECKS)


def test_the_spec_states_date_bounds_and_the_configured_password_policy() -> None:
    spec = create_app(make_settings(password_min_length=14, password_min_classes=4),
                      database=Database.connect("sqlite://")).openapi()
    until = next(p for p in spec["paths"]["/audit"]["get"]["parameters"] if p["name"] == "until")
    day = until["schema"]["anyOf"][0]
    assert (day["format"], day["pattern"]) == ("date", r"^\d{4}-\d{2}-\d{2}$")
    assert (day["formatMinimum"], day["formatMaximum"]) == ("1900-01-01", "2200-12-31")
    schemas = spec["components"]["schemas"]
    assert schemas["SimulationCreate"]["properties"]["as_of"]["anyOf"][0] == day
    for model, field in (("AccountCreate", "password"), ("PasswordChange", "new"),
                         ("AccountUpdate", "password")):
        prop = schemas[model]["properties"][field]
        prop = prop.get("anyOf", [prop])[0]
        assert prop["minLength"] == 14, model
        assert "至少 14 个字符" in prop["description"] and "至少 4 类" in prop["description"]
        assert "at least 14 characters" in prop["description"]
    assert "minLength" not in schemas["LoginRequest"]["properties"]["password"] or \
        schemas["LoginRequest"]["properties"]["password"]["minLength"] == 1
