"""A bounded fuzz run of the OpenAPI document (schemathesis, through the app's WSGI interface): every
operation, as the window's clerk, a department reviewer and the administrator, a few generated requests
each, valid and invalid, on an engine of its own with the shipped bundles. Every answer must be no
server error, have a status the operation declares, the declared content type, and a body that matches
the declared schema.

Deterministic: schemathesis's strategies are drawn by Hypothesis with ``derandomize`` (the examples
follow from the test alone), no example database, no shrinking. Each role runs on a fresh engine of
its own, the operations in the document's order, so nothing depends on the order of tests or on how
pytest-xdist shares them out.

schemathesis's own pytest loader for a fixture-built app (``schemathesis.pytest.from_fixture``) sets
a private attribute pytest 9 no longer has, so the strategies of its public API are driven here by
Hypothesis directly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.domain.model import SYSTEM
from engine.services.accounts import CreateUser, create_user
from engine.services.sessions import LogIn, log_in
from tests.conftest import PASSWORD, PERSONAS, bearer

pytestmark = pytest.mark.slow

EXAMPLES = 10
"""Generated requests per operation, role and mode (valid, invalid)."""

CHECKS = """
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
"""


class Tokens:
    """A token per role, minted again after a request that may have revoked it (logging out is fuzzed too)."""

    def __init__(self, engine: OneThingEngine) -> None:
        self.engine = engine
        self.issued: dict[str, str] = {}

    def header(self, role: str) -> dict[str, str]:
        if role not in self.issued:
            self.issued[role] = log_in(LogIn(PERSONAS[role][0], PASSWORD, "127.0.0.1"), self.engine.ctx).token
        return bearer(self.issued[role])

    def forget_after(self, method: str, path: str, role: str) -> None:
        if path.startswith(("/api/auth/", "/api/users/")) and method in ("POST", "DELETE", "PATCH"):
            self.issued.pop(role, None)


@pytest.fixture
def fuzzed_engine(tmp_path: Path) -> Iterator[OneThingEngine]:
    url = f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"
    engine = build_engine(Settings(database_url=url, password_strength="fast", token_ttl_hours=8760))
    for login, name, department, roles in PERSONAS.values():
        create_user(CreateUser(login, name, department, roles, PASSWORD, SYSTEM), engine.ctx)
    yield engine
    engine.db.dispose()


@pytest.fixture
def fuzzed_schema(fuzzed_engine: OneThingEngine) -> Any:
    from api import create_app

    app = create_app({"ENGINE": fuzzed_engine, "TESTING": True})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=SchemathesisConfig.from_str(CHECKS))


def fuzz(schema: Any, role: str, tokens: Tokens) -> tuple[Counter[int], list[str]]:
    """Every operation as ``role``: the answers' statuses, and what broke the document."""
    statuses: Counter[int] = Counter()
    broken = []
    for result in schema.get_all_operations():
        operation = result.ok()
        # Invalid requests where there is input to get wrong beyond the path (a path segment cannot be
        # made invalid when any text is a valid one).
        negative = len(operation.query) > 0 or len(operation.body) > 0
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)[:2 if negative else 1]:
            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                try:
                    statuses[case.call_and_validate(headers=tokens.header(role)).status_code] += 1
                finally:
                    tokens.forget_after(case.method.upper(), case.formatted_path, role)

            try:
                call()
            except (Exception, BaseExceptionGroup) as failure:  # schemathesis's FailureGroup is the latter
                broken.append(f"{role} {operation.label} ({mode}): {failure}")
    return statuses, broken


@pytest.mark.parametrize("role", ["clerk", "xf", "admin"])
def test_every_answer_keeps_to_the_openapi_document(fuzzed_schema: Any, fuzzed_engine: OneThingEngine,
                                                    role: str) -> None:
    statuses, broken = fuzz(fuzzed_schema, role, Tokens(fuzzed_engine))
    assert not broken, "\n\n".join(broken)
    operations = sum(1 for _ in fuzzed_schema.get_all_operations())
    assert statuses.total() >= operations, statuses  # every operation at least once
    assert sum(n for status, n in statuses.items() if status < 300) > 0, statuses  # not only refusals
