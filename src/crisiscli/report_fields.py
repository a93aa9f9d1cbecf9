"""What an answer stands for in reports: the ``report_as`` vocabulary.

A playbook question may say ``report_as = "impact.affected"``; the report
context then files its answer under that name, whatever the question's id.
This is how one set of report templates serves every playbook. The table
below is the whole vocabulary: each name, the question types that may carry
it, and one line on what it means (repeated in ``docs/templates.md``).
"""

from __future__ import annotations

from typing import Final

_TEXT: Final = ("text", "multiline")
_WORDS: Final = ("text", "multiline", "choice")
_LIST: Final = ("list", "multichoice")
_WHEN: Final = ("datetime",)
_COUNT: Final = ("integer", "number")
_YES_NO: Final = ("confirm",)

# name: (accepted question types, meaning)
REPORT_FIELDS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "incident.customer": (_TEXT, "the customer affected"),
    "incident.owner": (_TEXT, "who owns the crisis on our side"),
    "incident.contact": (_TEXT, "how the customer reaches the owner"),
    "incident.summary": (_WORDS, "what the customer sees, in one line"),
    "incident.severity": (_WORDS, "how severe the incident is"),
    "incident.started_at": (_WHEN, "when it started for the customer"),
    "incident.detected_at": (_WHEN, "when we learnt about it"),
    "incident.detection": (_WORDS, "how we learnt about it"),
    "incident.mitigated_at": (_WHEN, "when the workaround took effect"),
    "incident.resolved_at": (_WHEN, "when the service was back to normal"),
    "updates.stakeholders": (_LIST, "who must be kept informed"),
    "updates.first_sent": (_YES_NO, "whether every stakeholder heard from us once"),
    "updates.next_at": (_WHEN, "when the next update was promised"),
    "impact.affected": (_COUNT, "how many users are affected"),
    "impact.total": (_COUNT, "how many users there are in all"),
    "impact.basis": (_WORDS, "whether the figures are measured or estimated"),
    "impact.method": (_WORDS, "how the figures were obtained"),
    "mitigation.workaround": (_TEXT, "what was done to get the customer working"),
    "mitigation.removes_promise": (_YES_NO, "whether it takes away something promised"),
    "mitigation.cost": (_TEXT, "what the workaround costs the customer, and what it gains"),
    "mitigation.agreed": (_YES_NO, "whether the customer agreed to the trade-off"),
    "mitigation.agreed_by": (_TEXT, "who agreed on the customer's side"),
    "limits.abusive": (_YES_NO, "whether a contact became abusive"),
    "limits.incident": (_TEXT, "what happened, in neutral words"),
    "limits.ladder": (_LIST, "the rungs of the limits ladder taken"),
    "limits.new_contact": (_TEXT, "the new contact person"),
    "cause.trigger": (_WORDS, "what set the incident off"),
    "cause.root_cause": (_TEXT, "the root cause"),
    "cause.in_control": (_WORDS, "whether the cause was within our control"),
    "cause.contributing_factors": (_LIST, "what made it worse or more likely"),
    "review.roles": (_LIST, "who held which role during the response"),
    "review.went_well": (_LIST, "what went well"),
    "review.went_badly": (_LIST, "what went badly"),
    "review.lucky": (_LIST, "where we were lucky"),
    "review.lessons": (_LIST, "what changes so that it does not happen again"),
    "review.actions": (("actions",), "follow-up actions with owner and due date"),
    "compensation.owed": (_WORDS, "what the contract owes"),
    "compensation.amount": (_COUNT, "the amount owed, in the contract's currency"),
    "compensation.gesture": (_WORDS, "what we offer beyond the contract"),
    "compensation.unasked": (_YES_NO, "whether it is offered before the customer asks"),
    "feedback.score": (("score",), "the customer's score from 0 to 10"),
    "feedback.comments": (_TEXT, "what the customer said"),
}

SECTIONS: Final[tuple[str, ...]] = tuple(
    dict.fromkeys(name.split(".")[0] for name in REPORT_FIELDS)
)
