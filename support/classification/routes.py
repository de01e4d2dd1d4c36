"""Dry-run classification and on-demand retraining."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import Principal, Role
from core.http import JSON, operation, read_body
from support.classification import service
from support.classification.model_store import get_classifier
from support.classification.schemas import ClassifyRequest, ClassifyResponse, RetrainResponse


@operation(
    "Classify a text under the policy without creating a ticket",
    roles=(Role.admin, Role.support, Role.finance),
    body=ClassifyRequest,
    response=ClassifyResponse,
    tags=("classification",),
)
async def classify(request: Request, principal: Principal) -> Response:
    data = await read_body(request, ClassifyRequest)
    result = get_classifier().classify(data.subject, data.body)
    return JSON(ClassifyResponse(**result.to_json(), model_version=result.model_version))


@operation(
    "Retrain the classifier with staff confirmations and overrides",
    roles=(Role.admin,),
    response=RetrainResponse,
    tags=("classification",),
)
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


routes = [Route("/classify", classify, methods=["POST"]), Route("/classifier/retrain", retrain, methods=["POST"])]
