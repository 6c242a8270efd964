"""How far a read replica (PostgreSQL streaming replication) is behind its primary.

``now() - pg_last_xact_replay_timestamp()`` alone is no measure: on an idle primary the last
transaction the replica replayed grows old although nothing is missing. So the primary is asked
first where its flushed WAL ends (``pg_current_wal_flush_lsn``), then the replica how much of that it has replayed:
all of it, and it was current when asked (whatever the primary wrote since); else its lag is the age of the
last transaction it replayed, the time since that transaction committed on the primary. That age
overstates the lag when the primary was idle before the writes the replica is now replaying, and
it is read with the replica's clock against the primary's commit time: the two servers' clocks
must agree (NTP)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

# The WAL flushed, not merely written: a standby is sent only what the primary has flushed, and a
# commit returns once flushed.
_PRIMARY = text("SELECT pg_current_wal_flush_lsn()::text")
_REPLICA = text(
    "SELECT pg_is_in_recovery(),"
    " pg_wal_lsn_diff(CAST(:primary AS pg_lsn), pg_last_wal_replay_lsn()),"
    " extract(epoch FROM now() - pg_last_xact_replay_timestamp()),"
    " pg_is_wal_replay_paused()")


@dataclass(frozen=True)
class ReplicaLag:
    """The replica as it answered a moment ago."""

    in_recovery: bool
    """False: the server is not (or no longer) a standby, it was promoted or never was one."""
    behind_bytes: int
    """WAL the primary had written when asked that the replica has not replayed yet."""
    lag_seconds: float | None
    """0 when nothing is missing; else how long ago the last transaction the replica replayed
    committed on the primary. None: behind, with no transaction replayed since the replica started."""
    replay_paused: bool
    """Replay was paused on the replica (``pg_wal_replay_pause()``): it receives WAL but applies none."""


def measure_lag(primary: Engine, replica: Engine) -> ReplicaLag:
    """Ask the primary, then the replica (see the module's doc). Raises the driver's error when
    either does not answer."""
    with primary.connect() as conn:
        written = str(conn.execute(_PRIMARY).scalar_one())
    with replica.connect() as conn:
        in_recovery, behind, age, paused = conn.execute(_REPLICA, {"primary": written}).one()
    if not in_recovery:
        return ReplicaLag(False, 0, 0.0, False)
    behind_bytes = max(0, int(behind or 0))
    # Replayed all the primary had written when asked: current as of that moment, whatever it
    # received since (the primary went on writing between the two questions).
    lag = 0.0 if behind_bytes == 0 else None if age is None else max(0.0, float(age))
    return ReplicaLag(True, behind_bytes, lag, bool(paused))
