"""A hardened shared database (`shielddesk db roles`): the workstations' role runs ShieldDesk in full but gets
"permission denied" for UPDATE, DELETE and TRUNCATE of audit rows; its password comes from the keyring."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shielddesk.app import build_services, database_url_with_password
from shielddesk.config import Config
from shielddesk.domain.search import SearchCriteria
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.security.second_factor import code_at
from shielddesk.storage.roles import RolePlan, db_password_secret_name
from tests.support.authority import PASSWORD, child_row, make_authority, write_children
from tests.support.figures import report


def test_the_application_role_works_but_cannot_rewrite_the_audit_log(pg_database_url, tmp_path, secrets, run_cli):
    superuser = build_services(
        Config.load(database_url=pg_database_url, data_dir=tmp_path, environ={}),
        secrets=secrets,
        hashing=fast_hasher_for_tests(),
        auto_upgrade=False,
    )
    authority = make_authority(superuser, tmp_path)
    url = make_url(pg_database_url)
    plan = RolePlan(url.database, f"{url.database}_owner", f"{url.database}_app")
    assert (
        'GRANT SELECT, INSERT ON TABLE "audit_event"' in run_cli(authority, "db", "roles", "--db", pg_database_url).out
    )
    result = run_cli(authority, "db", "roles", "--apply", "--admin-url", pg_database_url, "--db", pg_database_url)
    assert result.code == 0, result.err
    superuser.close()
    app_url = url.set(username=plan.app, password=None).render_as_string(hide_password=False)
    assert secrets.get(db_password_secret_name(plan.app, url.host, url.port, url.database))
    assert f":{url.port}" in app_url and "@" in database_url_with_password(app_url, secrets).split("//")[1]
    try:
        app = build_services(
            Config.load(database_url=app_url, data_dir=tmp_path, environ={}),
            secrets=secrets,
            hashing=fast_hasher_for_tests(),
            auto_upgrade=False,
        )
        # ShieldDesk works as the application role: sign in, search, four-eyes, a population import, verify.
        operator1, operator2 = app.auth.login("operator1", PASSWORD), app.auth.login("operator2", PASSWORD)
        assert app.children.search(operator1, SearchCriteria(surname="Walsh")).total == 2
        entry = authority.entry_for("CP9000000005")
        with app.ctx.transaction(read_only=True) as session:
            child_id = session.execute(text("SELECT id FROM child WHERE cp_id = 'CP9000000005'")).scalar_one()
        request = app.shielding.propose_shield(operator1, entry.entry_id, child_id, PASSWORD)
        app.shielding.confirm(operator2, request.request_id, PASSWORD)
        admin = app.auth.login("admin", PASSWORD)
        rows = [child_row(f"CP89{n:08d}", "Role", f"Test{n}", "2017-03-03") for n in range(50)]
        assert app.population.import_population(admin, write_children(tmp_path / "more.csv", rows)).created == 50
        assert app.audit.verify(app.auth.login("supervisor", PASSWORD)).ok
        enrolment = app.second_factor.enrol(admin, "practitioner", PASSWORD)  # the tables revision 0005 added
        code = code_at(enrolment.secret, app.ctx.now())
        assert app.auth.login("practitioner", PASSWORD, code).second_factor
        # A table a later upgrade adds, created by the owner, is the workstations' to use without new grants.
        owner_url = url.set(username=plan.owner, password=None).render_as_string(hide_password=False)
        owner = create_engine(database_url_with_password(owner_url, secrets))
        with owner.begin() as connection:
            connection.execute(text("CREATE TABLE added_later (id serial PRIMARY KEY, note text)"))
        owner.dispose()
        with app.ctx.transaction() as session:
            session.execute(text("INSERT INTO added_later (note) VALUES ('usable')"))
        # ... and cannot change an audit row, however it connects.
        engine = create_engine(app.engine.url)
        denied = []
        for statement in (
            "UPDATE audit_event SET reason = 'rewritten' WHERE seq = 1",
            "DELETE FROM audit_event WHERE seq = 1",
            "TRUNCATE audit_event",
            "DELETE FROM audit_head",
            "DROP TABLE audit_event",
            "ALTER TABLE audit_event DISABLE TRIGGER ALL",
        ):
            with engine.connect() as connection, pytest.raises(Exception) as refused:
                connection.execute(text(statement))
            assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege), statement
            denied.append(statement.split()[0])
        engine.dispose()
        app.close()
    finally:
        cleanup = create_engine(pg_database_url, isolation_level="AUTOCOMMIT")
        with cleanup.connect() as connection:
            connection.exec_driver_sql(f'REASSIGN OWNED BY "{plan.owner}", "{plan.app}" TO postgres')
            # One role at a time: dropping both at once trips over the default privileges one grants the other.
            connection.exec_driver_sql(f'DROP OWNED BY "{plan.app}"')
            connection.exec_driver_sql(f'DROP OWNED BY "{plan.owner}"')
            connection.exec_driver_sql(f'DROP ROLE "{plan.owner}"')
            connection.exec_driver_sql(f'DROP ROLE "{plan.app}"')
        cleanup.dispose()
    report(
        "deployment",
        "postgresql application role: signs in, searches, confirms, imports; permission denied for "
        f"{', '.join(denied)} of audit rows",
    )
