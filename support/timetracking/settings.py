"""Settings of time tracking (environment variables; the defaults run with nothing configured).

`TRIPDESK_REQUIRE_APPROVAL` is read by billing: when true (the default, SPEC §2) only entries a lead or an
admin has approved reach an invoice.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings

from core.settings import from_environment


class TimeTrackingSettings(BaseSettings):
    model_config = from_environment("TRIPDESK_")

    require_approval: bool = True
    """Only approved time entries are invoiced (billing reads this)."""
    timezone: str = "Europe/Stockholm"
    """The business day: 'today' for work dates, and the date a timer started on."""
    max_entry_age_days: int = Field(365, ge=1, alias="TRIPDESK_TIME_ENTRY_MAX_AGE_DAYS")
    """How far back a work date may lie; older time is almost certainly a typo."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def get_timetracking_settings() -> TimeTrackingSettings:
    return TimeTrackingSettings()


def business_today() -> dt.date:
    """Today in the business time zone (a Swede logging at 00:30 logs for the new day, not UTC's)."""
    return dt.datetime.now(get_timetracking_settings().zone).date()


def business_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(get_timetracking_settings().zone).date()
