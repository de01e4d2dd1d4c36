"""How every package reads its settings (one small pydantic-settings class per package)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict


def settings_config(prefix: str = "TRIPDESK_") -> SettingsConfigDict:
    """Each field comes from the environment variable `prefix` + its name in upper case (a field with an
    `alias` names its variable itself); other variables are ignored. Code may pass a field by its name or
    by its variable."""
    return SettingsConfigDict(
        env_prefix="", extra="ignore", populate_by_name=True, alias_generator=lambda name: prefix + name.upper()
    )
