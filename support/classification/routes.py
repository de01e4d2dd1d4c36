"""Dry-run classification and on-demand retraining."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.auth import STAFF_ROLES, Principal, Role
from core.endpoints import Endpoints, handler
from core.http import JSON, read_body
from support.classification import service
from support.classification.model_store import get_classifier
from support.classification.schemas import ClassifyRequest, ClassifyResponse, RetrainResponse


@handler
async def classify(request: Request, principal: Principal) -> Response:
    data = await read_body(request, ClassifyRequest)
    result = get_classifier().classify(data.subject, data.body)
    return JSON(ClassifyResponse(**result.to_json(), model_version=result.model_version))


@handler
async def retrain(request: Request, principal: Principal) -> Response:
    """Training runs in a thread. The retrained model is promoted only if it scores no worse on the frozen
    written test set; this process then switches to it, other instances at their next start."""
    outcome = await service.retrain()
    return JSON(
        RetrainResponse(
            model_version=outcome.classifier.model_version,
            candidate_version=outcome.candidate_version,
            promoted=outcome.promoted,
            examples=outcome.examples,
            gate=outcome.gate_file,
            macro_f1_before=round(outcome.before.macro_f1, 4),
            macro_f1_after=round(outcome.after.macro_f1, 4),
        )
    )


classifier = Endpoints(tags=("classification",), reads=STAFF_ROLES, writes=(Role.admin,))
routes = [
    classifier.post(
        "/classify",
        "Classify a text under the policy without creating a ticket",
        classify,
        ClassifyResponse,
        body=ClassifyRequest,
        roles=STAFF_ROLES,
    ),
    classifier.post(
        "/classifier/retrain", "Retrain the classifier with staff confirmations and overrides", retrain, RetrainResponse
    ),
]
