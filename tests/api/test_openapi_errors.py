"""The OpenAPI document tells the truth about errors: one Error schema, as api/errors.py writes every
error answer, and per operation the error statuses it can answer (api/openapi_errors.py)."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN, CLERK, REVIEWERS

PUBLIC = {("/healthz", "get"), ("/api/auth/login", "post"), ("/api/public/case-status/{number}", "get"),
          ("/api/public/bundles", "get"), ("/api/public/bundles/{code}/guide", "get"),
          ("/api/applicant/login-code", "post"), ("/api/applicant/login", "post"),
          ("/api/applicant/sign-in-methods", "get"), ("/api/applicant/oidc/start", "get"),
          ("/api/applicant/oidc/callback", "get"), ("/api/hall/points", "get"),
          ("/api/hall/{point}/tickets", "post"), ("/api/hall/{point}/calls", "get"),
          ("/api/hall/{point}/events", "get"), ("/api/hall/{point}/slots", "get")}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
            if method in ("get", "post", "put", "patch", "delete")]


def test_one_error_schema_as_the_answers_are_written(client: Any) -> None:
    spec = client.get("/api/openapi.json").json
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "message_zh", "errors"}
    assert {name: p.get("type") for name, p in error["properties"].items()} == {
        "code": "string", "message": "string", "message_zh": "string", "errors": "object", "problems": "array"}
    refs = {r["content"]["application/json"]["schema"]["$ref"] for r in spec["components"]["responses"].values()}
    assert refs == {"#/components/schemas/Error"}


def test_each_operation_declares_the_errors_it_can_answer(client: Any) -> None:
    spec = client.get("/api/openapi.json").json
    found = operations(spec)
    assert len(found) > 50
    for path, method, op in found:
        declared = set(op["responses"])
        assert "default" not in declared, (method, path)  # no catch-all: each status is named
        assert {"422", "503"} <= declared, (method, path)
        if (path, method) not in PUBLIC:
            assert {"401", "403"} <= declared, (method, path)
        if "{" in path:
            assert "404" in declared, (method, path)
        if method != "get" and (path, method) not in PUBLIC:
            assert "400" in declared, (method, path)
    login = spec["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"401", "429"} <= set(login)
    assert "404" in spec["paths"]["/api/tasks"]["get"]["responses"]  # ?case= names a case
    assert "409" in spec["paths"]["/api/tasks/{task_id}/complete"]["post"]["responses"]


def test_error_answers_match_the_declared_error(client: Any, anonymous: Any) -> None:
    spec = client.get("/api/openapi.json").json
    error = spec["components"]["schemas"]["Error"]
    answers = {
        "401": anonymous.get("/api/cases"),
        "403": client.get("/api/users", headers=CLERK),
        "404": client.get("/api/cases/no-such-case", headers=REVIEWERS["xf"]),
        "422": client.post("/api/users", headers=ADMIN, json={"login": "x"}),
        "400": client.post("/api/cases", headers=CLERK, data="{not json", content_type="application/json"),
    }
    for status, answer in answers.items():
        assert str(answer.status_code) == status, (status, answer.json)
        body = answer.json
        assert set(error["required"]) <= set(body) <= set(error["properties"]), body
        assert all(isinstance(body[k], str) for k in ("code", "message", "message_zh")), body
        assert isinstance(body["errors"], dict), body
