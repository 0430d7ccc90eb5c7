"""Schema, engine and migrations (SQLAlchemy 2 + Alembic). No Qt."""
