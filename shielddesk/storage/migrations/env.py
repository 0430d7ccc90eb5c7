"""Alembic environment: the engine is handed in by shielddesk.storage.migrate (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from shielddesk.storage.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=engine.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
