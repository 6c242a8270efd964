"""Answers written as the presenters built them (api/presented.py): the same JSON the schema would
answer, checked against the schema whenever the app is testing, and not dumped through it otherwise."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from marshmallow import Schema, fields

from api.json_provider import FastJSONProvider
from api.presented import PresentedMismatch, presented


class _Shape(Schema):
    number = fields.String()
    accepted_at = fields.DateTime()
    due_on = fields.Date()
    count = fields.Integer()


class _Counting(_Shape):
    dumps = 0

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        type(self).dumps += 1
        return super().dump(obj, many=many)


def app(testing: bool) -> Flask:
    flask = Flask(__name__)
    flask.json = FastJSONProvider(flask)
    flask.testing = testing
    return flask


GOOD = {"number": "KBCYD-20261202-0001", "accepted_at": datetime(2026, 12, 2, 3, 4, 5, 6, tzinfo=UTC),
        "due_on": date(2026, 12, 30), "count": 3}


def test_an_answer_is_the_json_the_schema_would_write() -> None:
    with app(testing=True).app_context():
        response = presented(_Shape(), GOOD, 201)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.get_json() == {"number": "KBCYD-20261202-0001", "accepted_at": "2026-12-02T03:04:05.000006+00:00",
                                   "due_on": "2026-12-30", "count": 3}


@pytest.mark.parametrize(("data", "named"), [
    ({**GOOD, "secret": "x"}, "leaves out ['secret']"),  # the schema would not answer it
    ({**GOOD, "count": "3"}, "differently ['count']"),  # the schema would write a number
])
def test_a_presenter_that_strays_from_its_schema_fails_when_testing(data: dict[str, Any], named: str) -> None:
    with app(testing=True).app_context(), pytest.raises(PresentedMismatch, match=re.escape(named)):
        presented(_Shape(), data)


def test_outside_testing_the_schema_is_not_run() -> None:
    _Counting.dumps = 0
    with app(testing=False).app_context():
        presented(_Counting(), GOOD)
    assert _Counting.dumps == 0
    with app(testing=True).app_context():
        presented(_Counting(), GOOD)
    assert _Counting.dumps == 1
