"""Pure domain rules: no Qt, no SQLAlchemy. Everything here is unit-tested with plain pytest."""
