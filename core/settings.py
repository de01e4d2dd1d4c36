"""How settings meet the environment: one variable per setting, named after the setting."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict


def from_environment(prefix: str) -> SettingsConfigDict:
    """Settings read from environment variables named `prefix` + the field's name in capitals (with
    `TRIPDESK_`, `seller_name` is read from TRIPDESK_SELLER_NAME); a field whose variable is named otherwise
    says so with `Field(alias=...)`. Tests may pass either name. A setting's description is the docstring
    under it."""
    return SettingsConfigDict(
        env_prefix="",
        extra="ignore",
        populate_by_name=True,
        use_attribute_docstrings=True,
        alias_generator=lambda name: f"{prefix}{name.upper()}",
    )
