"""How settings meet the environment: one variable per setting, named after the setting."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict


def from_environment(prefix: str) -> SettingsConfigDict:
    """Settings read from environment variables named `prefix` + the field's name in capitals (with
    `TRIPDESK_`, `seller_name` is read from TRIPDESK_SELLER_NAME); a field whose variable is named otherwise
    says so with `Field(alias=...)`. A setting's description is the docstring under it.

    Code and tests may pass a setting by its field name. The environment is never read by the bare field name:
    pydantic-settings looks a field name up under `env_prefix`, which is why the prefix is set there too.
    Libraries set bare variables for themselves (Tortoise.init sets TIMEZONE=UTC in the process's
    environment), and TIMEZONE must not replace TRIPDESK_TIMEZONE's business day with UTC's."""
    return SettingsConfigDict(
        env_prefix=prefix,
        extra="ignore",
        populate_by_name=True,
        use_attribute_docstrings=True,
        alias_generator=lambda name: f"{prefix}{name.upper()}",
    )
