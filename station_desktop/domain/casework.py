"""Case-work stage rules (civil-affairs case-work standard).

Cases move forward through intake → assessment → planning → intervention → evaluation →
closed. Going back one step is allowed (an assessment turns out incomplete, an evaluation
sends the worker back to intervention). A case can be closed from any open stage (a
client may withdraw or move away during intake), and a closed case can be reopened, which
returns it to assessment. Referral is recorded as details on the case at any stage; a case
closed because it was referred out must say where to.
"""

from __future__ import annotations

from station_desktop.domain.codes import CaseStage, ClosingReason

OPEN_STAGES: tuple[CaseStage, ...] = (
    CaseStage.INTAKE,
    CaseStage.ASSESSMENT,
    CaseStage.PLANNING,
    CaseStage.INTERVENTION,
    CaseStage.EVALUATION,
)

REOPEN_STAGE = CaseStage.ASSESSMENT


def allowed_next_stages(stage: CaseStage) -> tuple[CaseStage, ...]:
    """The stages a case in `stage` may move to, in the order a worker would consider them."""
    if stage is CaseStage.CLOSED:
        return (REOPEN_STAGE,)
    index = OPEN_STAGES.index(stage)
    following: list[CaseStage] = []
    if index + 1 < len(OPEN_STAGES):
        following.append(OPEN_STAGES[index + 1])
    if index > 0:
        following.append(OPEN_STAGES[index - 1])
    following.append(CaseStage.CLOSED)
    return tuple(following)


def can_move(from_stage: CaseStage, to_stage: CaseStage) -> bool:
    return to_stage in allowed_next_stages(from_stage)


def is_reopening(from_stage: CaseStage, to_stage: CaseStage) -> bool:
    return from_stage is CaseStage.CLOSED and to_stage is not CaseStage.CLOSED


def closing_needs_referral(reason: ClosingReason) -> bool:
    return reason is ClosingReason.REFERRED_OUT
