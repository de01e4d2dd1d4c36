"""Settings are read from their own TRIPDESK_* (or MAIL_*, IMAP_*…) variables and from nothing else: a
variable named like a bare field, such as the TIMEZONE=UTC that Tortoise.init puts in the environment, must not
change a setting."""

from __future__ import annotations

import importlib

import pytest
from pydantic_settings import BaseSettings

from support.timetracking.settings import TimeTrackingSettings

pytestmark = pytest.mark.sqlite_pass  # no database

SETTINGS_MODULES = (
    "billing.settings",
    "billing.payments.settings",
    "notifications.settings",
    "support.settings",
    "support.attachments.settings",
    "support.timetracking.settings",
)


def settings_classes() -> list[type[BaseSettings]]:
    found = []
    for name in SETTINGS_MODULES:
        module = importlib.import_module(name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, BaseSettings) and value.__module__ == name
        ]
    return found


def test_every_settings_module_is_checked() -> None:
    assert len(settings_classes()) >= len(SETTINGS_MODULES)


@pytest.mark.parametrize("settings_class", settings_classes(), ids=lambda cls: cls.__name__)
def test_a_variable_named_like_a_bare_field_is_ignored(
    settings_class: type[BaseSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    defaults = settings_class().model_dump()
    bare = [name.upper() for name, field in settings_class.model_fields.items() if field.alias != name.upper()]
    for variable in bare:  # (mail settings without a prefix: SMTP_URL is both the field and its variable)
        monkeypatch.setenv(variable, "999")
    assert settings_class().model_dump() == defaults


def test_tortoise_timezone_leaves_the_business_day_in_stockholm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "UTC")  # what Tortoise.init sets
    assert TimeTrackingSettings().timezone == "Europe/Stockholm"
    monkeypatch.setenv("TRIPDESK_TIMEZONE", "Europe/Helsinki")
    assert TimeTrackingSettings().timezone == "Europe/Helsinki"
    assert TimeTrackingSettings(timezone="Europe/Oslo").timezone == "Europe/Oslo"  # by field name, as tests do
