"""Use-case tests on the fake unit of work: no database, no Flask (``tests/fakes``)."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from tests.fakes.context import FakeContext, fake_context


@pytest.fixture
def fake(clock: FakeClock) -> FakeContext:
    """The shipped bundles deployed, and the users of ``tests.conftest.PERSONAS``."""
    return fake_context(clock, personas=True)
