"""The ticket status state machine (a business rule).

    new → triaged → in_progress ⇄ waiting_on_customer → resolved → closed
    rejected from new, triaged or in_progress; resolved may be reopened to in_progress.

`closed` and `rejected` are final. An `unofficial` ticket is rejected (SPEC §1: no assistance).
"""

from __future__ import annotations

from support.errors import IllegalTransition
from support.models import TicketStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.new: frozenset({S.triaged, S.rejected}),
    S.triaged: frozenset({S.in_progress, S.rejected, S.resolved}),
    S.in_progress: frozenset({S.waiting_on_customer, S.resolved, S.rejected}),
    S.waiting_on_customer: frozenset({S.in_progress, S.resolved}),
    S.resolved: frozenset({S.closed, S.in_progress}),
    S.closed: frozenset(),
    S.rejected: frozenset(),
}


def check_transition(current: S, target: S) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise IllegalTransition(
            f"a {current} ticket cannot become {target}; allowed: {allowed}", current=str(current), target=str(target)
        )
