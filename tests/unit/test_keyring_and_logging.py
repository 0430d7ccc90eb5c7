"""Secrets fail closed; the log never carries a shielded value."""

import logging

import pytest
from keyring.backends import fail

from shielddesk.app import build_services
from shielddesk.config import Config
from shielddesk.domain.errors import SecretStoreUnavailable, StorageUnavailable
from shielddesk.domain.search import SearchCriteria
from shielddesk.logsetup import SHIELDED_VALUE_FILTER, WITHHELD, configure_logging
from shielddesk.security.secrets import SecretStore
from tests.support.authority import CANARY, CANARY_CP_ID, CANARY_VALUES


def test_fail_backend_refuses_to_start_with_a_clear_message(tmp_path):
    config = Config.load(data_dir=tmp_path, environ={})
    with pytest.raises(SecretStoreUnavailable, match="secure keyring") as caught:
        build_services(config, secrets=SecretStore(fail.Keyring()))
    assert "gnome-keyring" in str(caught.value).lower() or "Secret Service" in str(caught.value)
    assert not (tmp_path / "shielddesk.db").exists(), "nothing may be created before the keyring is known good"


def test_missing_audit_key_on_this_workstation_is_reported(authority, keyring_backend):
    keyring_backend.entries.clear()
    authority.services.ctx._audit_key = None  # a fresh process on another workstation
    with pytest.raises(SecretStoreUnavailable, match="audit key"):
        authority.services.children.search(authority.practitioner, SearchCriteria(surname="walsh"))


def test_log_filter_withholds_records_that_contain_a_shielded_value(authority, tmp_path):
    configure_logging(tmp_path / "logs")
    log = logging.getLogger("shielddesk.test")
    log.warning("harmless message about child %s", authority.child_id(CANARY_CP_ID))
    log.warning("oops %s", CANARY["address_line1"])
    try:
        raise ValueError(CANARY["postcode"])
    except ValueError:
        log.exception("failure")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = (tmp_path / "logs" / "shielddesk.log").read_text(encoding="utf-8")
    assert "harmless message" in written
    assert written.count(WITHHELD) == 2
    assert not [v for v in CANARY_VALUES if v in written]
    configure_logging(None)


def test_filter_knows_every_hidden_value_of_shielded_children_only(authority):
    values = SHIELDED_VALUE_FILTER._values
    assert CANARY["school_name"].casefold() in values
    assert "22 station road" not in values  # an unshielded child's address is not special


def test_database_failure_is_a_clear_message_without_any_value(authority, tmp_path):
    from sqlalchemy import text

    configure_logging(tmp_path / "logs")
    with authority.services.engine.begin() as connection:
        connection.execute(text("DROP TABLE carer"))
    with pytest.raises(StorageUnavailable) as caught:
        authority.services.children.search(authority.operator1, SearchCriteria(carer_name=CANARY["carer1_name"]))
    message = str(caught.value)
    assert "Nothing was saved" in message
    assert CANARY["carer1_name"] not in message and "zyqxia" not in message.casefold()
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "zyqxia" not in (tmp_path / "logs" / "shielddesk.log").read_text(encoding="utf-8").casefold()
    configure_logging(None)


def test_unreachable_database_refuses_to_start_clearly(tmp_path, secrets):
    config = Config.load(database_url="postgresql://nobody@127.0.0.1:9/none", data_dir=tmp_path, environ={})
    with pytest.raises(StorageUnavailable) as caught:
        build_services(config, secrets=secrets)
    assert "server cannot be reached" in str(caught.value)
