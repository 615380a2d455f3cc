"""dedupe-client cannot drift from the service: its types are the OpenAPI schemas field for field, its enums
are the schemas' enums, and every call it makes is an operation of /openapi.json."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from dedupe_client import ROUTES, Article
from dedupe_client import types as client_types


@pytest.fixture
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def schema_of(spec: dict, name: str) -> dict:
    return spec["components"]["schemas"][name]


def resolve(spec: dict, schema: dict) -> dict:
    return schema_of(spec, schema["$ref"].rsplit("/", 1)[1]) if "$ref" in schema else schema


@pytest.mark.parametrize("name", sorted(client_types.SCHEMAS))
def test_each_type_has_exactly_the_schemas_fields(spec, name):
    schema = schema_of(spec, name)
    cls = client_types.SCHEMAS[name]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    missing, extra = set(schema["properties"]) - set(fields), set(fields) - set(schema["properties"])
    assert not missing and not extra, f"client/dedupe_client/types.py {cls.__name__}: add {missing}, drop {extra}"
    no_default = {
        n for n, f in fields.items() if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    assert no_default <= set(schema.get("required", [])), f"{name}: the client requires what the service may omit"


def test_nested_objects_and_enums_match(spec):
    hints = typing.get_type_hints(client_types.Match)
    for field in ("relation", "evidence"):
        assert set(typing.get_args(hints[field])) == set(schema_of(spec, "Match")["properties"][field]["enum"])
    error_body = resolve(spec, schema_of(spec, "ItemError")["properties"]["error"])
    assert {f.name for f in dataclasses.fields(client_types.ErrorBody)} == set(error_body["properties"])
    items = schema_of(spec, "BatchResult")["properties"]["results"]["items"]
    results = items.get("oneOf") or items["anyOf"]
    assert {r["$ref"].rsplit("/", 1)[1] for r in results} == {"CheckResult", "ItemError"}


def test_the_article_type_is_the_request_schema(spec):
    article = schema_of(spec, "ArticleIn")
    assert set(Article.__annotations__) == set(article["properties"])
    assert Article.__required_keys__ == set(article.get("required", []))


@pytest.mark.parametrize("call", sorted(ROUTES))
def test_every_call_is_an_operation_of_the_description(spec, call):
    method, path = ROUTES[call]
    assert path in spec["paths"], path
    assert method.lower() in spec["paths"][path], f"{method} {path}"
