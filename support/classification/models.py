"""Staff-labelled tickets that teach the classifier (SPEC §1: classification is a suggestion staff confirm).

Every confirmation or override of a ticket's category by staff is stored as one row; a retrain uses the
shipped corpus plus all rows here. Rows are never edited: a later correction is a new row.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from core.records import CreatedRecord
from support.policy import Category


class LabelSource(StrEnum):
    staff_confirmation = "staff_confirmation"  # staff agreed with the suggested category
    staff_override = "staff_override"  # staff chose another category than suggested


class LabelledExample(CreatedRecord):
    """A ticket's subject and body with the category staff confirmed or chose instead, written when staff classify
    the ticket. Never edited: a later decision on the same ticket is a new row. The next retrain uses every row."""

    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    category = fields.CharEnumField(Category, max_length=20)
    source = fields.CharEnumField(LabelSource, max_length=20)
    ticket_id = fields.IntField(null=True)

    class Meta:
        ordering = ["id"]
