"""How settings meet the environment: one variable per setting, named after the setting."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict


def from_environment(prefix: str) -> SettingsConfigDict:
    """Settings read from environment variables named `prefix` + the field's name in capitals (with
    `TRIPDESK_`, `seller_name` is read from TRIPDESK_SELLER_NAME); a field whose variable is named otherwise
    says so with `Field(alias=...)`. A setting's description is the docstring under it.

    Only that variable is read, never one named like the bare field: libraries set such variables for
    themselves (Tortoise.init sets TIMEZONE=UTC in the process's environment, which would otherwise replace
    TRIPDESK_TIMEZONE's business day with UTC's). So a setting is not passed by field name either: a test
    that needs another value takes a copy, `settings.model_copy(update={"field": value})`."""
    return SettingsConfigDict(
        env_prefix="",
        extra="ignore",
        use_attribute_docstrings=True,
        alias_generator=lambda name: f"{prefix}{name.upper()}",
    )
