"""The two PostgreSQL roles of a shared deployment: an owner that runs the migrations, and the application role
the workstations connect as, which may read and write the data but never UPDATE, DELETE or TRUNCATE an audit
event — so not even a workstation's stolen credentials can rewrite the audit log in place."""

from __future__ import annotations

from dataclasses import dataclass

from shielddesk.storage.models import Base

# The audit log: appended to and read, never changed. Its head row moves forward with every append.
APPEND_ONLY = {"audit_event": "SELECT, INSERT", "audit_head": "SELECT, INSERT, UPDATE"}
READ_ONLY = {"alembic_version": "SELECT"}
READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class RolePlan:
    database: str
    owner: str
    app: str

    def create_roles(self) -> list[str]:
        return [f"CREATE ROLE {quote(self.owner)} LOGIN", f"CREATE ROLE {quote(self.app)} LOGIN"]

    def grants(self) -> list[str]:
        """Run after `shielddesk db upgrade`, and again after an upgrade that adds a table needing narrower rights than
        read-write (an append-only one)."""
        owner, app = quote(self.owner), quote(self.app)
        statements = [
            f"ALTER DATABASE {quote(self.database)} OWNER TO {owner}",
            f"ALTER SCHEMA public OWNER TO {owner}",
            f"REVOKE ALL ON DATABASE {quote(self.database)} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {quote(self.database)} TO {app}",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"GRANT USAGE ON SCHEMA public TO {app}",
        ]
        tables = sorted({table.name for table in Base.metadata.sorted_tables} | set(READ_ONLY))
        for table in tables:
            statements.append(f"ALTER TABLE {quote(table)} OWNER TO {owner}")
            statements.append(f"REVOKE ALL ON TABLE {quote(table)} FROM {app}")
            privileges = APPEND_ONLY.get(table) or READ_ONLY.get(table) or READ_WRITE
            statements.append(f"GRANT {privileges} ON TABLE {quote(table)} TO {app}")
        statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
        # A table a later upgrade adds (created by the owner) is usable by the workstations at once, rather than
        # "permission denied" until these grants are run again; running them again narrows it if it must be.
        statements.append(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT {READ_WRITE} ON TABLES TO {app}"
        )
        statements.append(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}"
        )
        return statements

    def script(self) -> str:
        lines = [
            "-- ShieldDesk database roles. As a database administrator:",
            "--   1. create the roles (then set their passwords, or let `shielddesk db roles --apply` do it);",
            "--   2. run `shielddesk db upgrade` connected as the owner role;",
            "--   3. run the grants (again after an upgrade that adds an append-only table).",
            *[f"{statement};" for statement in self.create_roles()],
            f"-- shielddesk db upgrade --db postgresql://{self.owner}@HOST/{self.database}",
            *[f"{statement};" for statement in self.grants()],
        ]
        return "\n".join(lines) + "\n"


def db_password_secret_name(user: str, host: str, port: int | None, database: str) -> str:
    return f"db-password/{user}@{host}:{port or 5432}/{database}"


def apply(plan: RolePlan, admin_url: str, passwords: dict[str, str]) -> None:
    """Create the roles (or reset their passwords) and grant, connected as a database administrator to the
    ShieldDesk database. Passwords are generated (letters, digits, '-' and '_'), so they can be quoted inline:
    ALTER ROLE takes no bound parameters."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from shielddesk.storage.engine import normalise_url

    for password in passwords.values():
        if not password or not all(ch.isalnum() or ch in "-_" for ch in password):
            raise ValueError("a generated role password must be letters, digits, '-' and '_' only")
    url = make_url(normalise_url(admin_url)).set(database=plan.database)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for role in (plan.owner, plan.app):
                exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
                if exists is None:
                    connection.exec_driver_sql(f"CREATE ROLE {quote(role)} LOGIN")
                if role in passwords:
                    connection.exec_driver_sql(f"ALTER ROLE {quote(role)} PASSWORD '{passwords[role]}'")
            for statement in plan.grants():
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
