"""Which log mark the nightly audit run reads after: every event the sound runs did not see must lie
after it, even one a transaction running during the latest run wrote with a smaller id."""

from __future__ import annotations

from engine.domain.audit import LogMark, read_from


def test_no_mark_means_every_chain_is_compared() -> None:
    assert read_from([]) is None


def test_with_one_writer_the_latest_mark_is_read_after() -> None:
    assert read_from([LogMark(10), LogMark(25)]) == LogMark(25)


def test_the_latest_mark_when_nothing_was_running() -> None:
    marks = [LogMark(10, 100, 103), LogMark(25, 120, 120)]
    assert read_from(marks) == marks[-1]


def test_a_writer_running_during_the_latest_run_sends_the_read_back_to_a_mark_before_it_started() -> None:
    # Transaction 118 was running at the latest run (its xmin): the run of xmax 112 was before it began,
    # the run of xmax 119 was not.
    before, during, latest = LogMark(10, 105, 112), LogMark(18, 116, 119), LogMark(25, 118, 124)
    assert read_from([before, during, latest]) == before
    assert read_from([LogMark(3, 90, 92), before, LogMark(25, 112, 124)]) == before


def test_no_mark_old_enough_means_every_chain_is_compared() -> None:
    assert read_from([LogMark(18, 116, 119), LogMark(25, 101, 124)]) is None
