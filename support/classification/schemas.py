"""Request and response models of the classification endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from core.schemas import Strict
from support.policy import Billing, Category


class ClassifyRequest(Strict):
    subject: Annotated[str, StringConstraints(max_length=200)] = ""
    body: Annotated[str, StringConstraints(max_length=100_000)] = ""


class ClassifyResponse(BaseModel):
    category: Category
    confidence: float = Field(ge=0, le=1)
    billing: Billing
    language: str
    reasons: list[str]
    needs_triage: bool = Field(
        description="Below the confidence threshold, or `unofficial`: staff must confirm "
        "before the integrator is told a billing consequence"
    )
    model_version: str


class RetrainResponse(BaseModel):
    model_version: str = Field(description="The model in use after the retrain")
    candidate_version: str = Field(description="The retrained model")
    promoted: bool = Field(description="False when the retrained model scored worse on the frozen test set")
    examples: int
    gate: str = Field(description="The test set the two models were compared on")
    macro_f1_before: float
    macro_f1_after: float
