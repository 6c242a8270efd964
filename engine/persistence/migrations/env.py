"""Alembic environment: migrates the database named by the config or by DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import text

from engine.persistence.database import make_engine
from engine.persistence.tables import metadata

MIGRATION_LOCK_KEY = 0x6F6E657468696E67  # "onething"
config = context.config
url = config.attributes.get("url") or os.environ.get("DATABASE_URL") or "sqlite:///instance/onething.sqlite3"

connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    # Behind a pooler that cannot keep prepared statements the migrations must not prepare any either.
    engine = make_engine(url, prepared_statements=config.attributes.get("prepared_statements", True))
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Several server processes start at once: one migrates, the others wait and find it done.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    engine.dispose()
