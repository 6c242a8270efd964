"""Each PostgreSQL URL form the README gives starts the engine and runs a case's first steps."""

from __future__ import annotations

import pytest

from engine.bootstrap import Settings, build_engine
from engine.domain.model import Actor
from engine.services.cases import StartCase, start_case
from tests.conftest import APPLICANT, application


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_each_url_form_runs_the_engine(db_url: str, backend: str, scheme: str) -> None:
    if backend != "postgres":
        pytest.skip("the URL forms are PostgreSQL's")
    url = f"{scheme}://{db_url.split('://', 1)[1]}"
    engine = build_engine(Settings(database_url=url, password_strength="fast"))
    try:
        assert engine.db.dialect.driver == "psycopg"
        started = start_case(StartCase("restaurant", APPLICANT, Actor("王窗口", "window", "clerk"),
                                       **application(engine)), engine.ctx)
        with engine.ctx.uow(False) as uow:
            case = uow.cases.get(int(started.resource_id))
        assert case is not None and case.status == "in_review"
    finally:
        engine.db.dispose()
