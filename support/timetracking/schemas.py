"""Request and response models of time tracking. They validate input and generate the OpenAPI document.

Work-date rules (422): not after today in the business time zone (today itself is fine), and not older than
`TRIPDESK_TIME_ENTRY_MAX_AGE_DAYS` (default 365). Minutes 1..1440: a single entry never exceeds a day.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from core.http import MAX_ID, Id
from core.pagination import PageQuery
from core.schemas import Read, Strict
from support.policy import Category
from support.timetracking.settings import business_today, get_timetracking_settings

MAX_MINUTES = 24 * 60


def _plausible_work_date(value: dt.date) -> dt.date:
    today = business_today()
    if value > today:
        raise ValueError(f"work_date {value} is in the future (today is {today})")
    oldest = today - dt.timedelta(days=get_timetracking_settings().max_entry_age_days)
    if value < oldest:
        raise ValueError(f"work_date {value} is more than a year back (the oldest allowed is {oldest})")
    return value


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise ValueError("month is YYYY-MM, e.g. 2026-10")
    if not 2000 <= int(value[:4]) <= 2100:
        raise ValueError("month is out of range")
    return value


WorkDate = Annotated[dt.date, AfterValidator(_plausible_work_date)]
Minutes = Annotated[
    int,
    Field(strict=True, ge=1, le=MAX_MINUTES, description="Whole minutes worked, 1..1440 (one entry is at most 24 h)"),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Month = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=7, max_length=7, pattern=r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
    ),
    AfterValidator(_month),
]


# Time entries ----------------------------------------------------------------------------------------


class Work(Strict):
    """What a time entry records of the work: the day it was done, the whole minutes and what was done. An
    entry logged through the API (`TimeEntryCreate`) must also be dated plausibly: not ahead of today, not
    older than the allowed age. Trusted callers (the demo seed, a stopped timer) date it as it happened."""

    work_date: dt.date
    minutes: Minutes
    description: Description


class TimeEntryCreate(Work):
    work_date: WorkDate
    staff_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Who worked. Default: the token's staff member. Admins may name anyone; a "
        "support token without a staff member must name one.",
    )


class TimeEntryUpdate(Strict):
    """The category and billability are the ticket's at logging time and cannot be edited."""

    work_date: WorkDate | None = None
    minutes: Minutes | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class TimeEntryRead(Read):
    id: int
    ticket_id: int
    staff_id: int
    work_date: dt.date
    minutes: int
    description: str
    category: Category = Field(description="The ticket's category when the time was logged (never changes)")
    billable: bool = Field(description="Whether that category made the time billable")
    approved_at: dt.datetime | None
    approved_by_id: int | None
    invoice_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TimeEntryList(BaseModel):
    items: list[TimeEntryRead]
    total_minutes: int
    billable_minutes: int


class TimeEntryPage(BaseModel):
    items: list[TimeEntryRead]
    next_cursor: str | None = None


class TimeEntryQuery(PageQuery):
    staff_id: int | None = Field(None, ge=1, le=MAX_ID)
    ticket_id: int | None = Field(None, ge=1, le=MAX_ID)
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The organisation billed (the ticket's bill_to)"
    )
    work_date_from: dt.date | None = None
    work_date_to: dt.date | None = None
    approved: bool | None = None
    billable: bool | None = None
    invoiced: bool | None = None
    category: Category | None = None

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.work_date_from and self.work_date_to and self.work_date_to < self.work_date_from:
            raise ValueError("work_date_to is before work_date_from")
        return self


class ApproveRequest(Strict):
    ids: list[Id] = Field(min_length=1, max_length=500)


class ApproveResult(BaseModel):
    items: list[TimeEntryRead]
    newly_approved: int


# Timers ----------------------------------------------------------------------------------------------


class TimerStart(Strict):
    ticket_id: int = Field(ge=1, le=MAX_ID)
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class TimerStop(Strict):
    description: Description | None = Field(None, description="Overrides the description given at start")


class TimerRead(Read):
    id: int
    staff_id: int
    ticket_id: int
    description: str
    started_at: dt.datetime
    elapsed_seconds: int = 0


# Period locks ----------------------------------------------------------------------------------------


class PeriodLockCreate(Strict):
    month: Month


class PeriodLockRead(BaseModel):
    month: str
    month_start_date: dt.date
    locked_by: str
    locked_at: dt.datetime


class PeriodLockList(BaseModel):
    items: list[PeriodLockRead]
