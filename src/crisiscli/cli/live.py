"""Commands used while the crisis lasts: note, stakeholder, update, impact, limit, feedback.

Each records one event in the chosen session (the most recent open one by
default) through ``crisiscli.recording`` and says what it recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from crisiscli.cli.common import JsonOption, check_text_option, load_chosen_session, open_store
from crisiscli.cli.completion import session_ids
from crisiscli.cli.output import echo, local_time, print_due, print_json

if TYPE_CHECKING:
    from crisiscli.state import SessionState
    from crisiscli.store import Store

SessionOption = Annotated[
    str | None,
    typer.Option(
        "--session",
        "-s",
        help="Session id (default: the most recent open session).",
        show_default=False,
        autocompletion=session_ids,
    ),
]
ChannelOption = Annotated[
    str | None,
    typer.Option("--channel", "-c", help="phone, email, chat or meeting.", show_default=False),
]

stakeholder_app = typer.Typer(help="Who must hear from us, and how often.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("note")(note)
    app.add_typer(stakeholder_app, name="stakeholder")
    app.command("update")(update)
    app.command("impact")(impact)
    app.command("limit")(limit)
    app.command("feedback")(feedback)
    app.command("compensation")(compensation)


def _context(session: str | None) -> tuple[Store, SessionState, Any, str]:
    from crisiscli.actors import default_actor  # noqa: PLC0415
    from crisiscli.clock import SystemClock  # noqa: PLC0415

    store = open_store()
    return store, load_chosen_session(store, session), SystemClock(), default_actor()


def note(
    text: Annotated[str, typer.Argument(help="What happened, or what a stakeholder told us.")],
    source: Annotated[
        str | None,
        typer.Option("--from", "-f", help="Who told us (an inbound contact).", show_default=False),
    ] = None,
    channel: ChannelOption = None,
    session: SessionOption = None,
) -> None:
    """Record a note, or what a stakeholder told us, in the session's timeline."""
    from crisiscli.recording import add_note  # noqa: PLC0415

    check_text_option("TEXT", text, single_line=False)
    store, state, clock, actor = _context(session)
    event = add_note(store, state, text, source=source, channel=channel, clock=clock, actor=actor)
    echo(f"Noted at {local_time(event.at, state.timezone)} in session {state.session_id}.")


@stakeholder_app.command("add")
def stakeholder_add(
    name: Annotated[str, typer.Argument(help="The person to keep informed.")],
    org: Annotated[
        str | None, typer.Option("--org", help="Their organisation.", show_default=False)
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="Their role, e.g. president.", show_default=False)
    ] = None,
    cadence: Annotated[
        int | None,
        typer.Option(
            "--cadence",
            help="Minutes between updates (default: the playbook's).",
            show_default=False,
        ),
    ] = None,
    session: SessionOption = None,
) -> None:
    """Add a stakeholder who must hear from us on a cadence."""
    from crisiscli.recording import add_stakeholder  # noqa: PLC0415

    store, state, clock, actor = _context(session)
    event = add_stakeholder(
        store, state, name, org=org, role=role, cadence_minutes=cadence, clock=clock, actor=actor
    )
    payload = event.payload
    echo(f"Added {payload['name']}: an update every {payload['cadence_minutes']} minutes.")


@stakeholder_app.command("list")
def stakeholder_list(session: SessionOption = None, as_json: JsonOption = False) -> None:
    """List the stakeholders, their last update and when the next is due."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from crisiscli.status import live_view  # noqa: PLC0415

    state = load_chosen_session(open_store(), session)
    view = live_view(state, now=datetime.now(UTC))
    if as_json:
        print_json({"stakeholders": view["stakeholders"], "due": view["due"]})
        return
    print_due(view, state.timezone)
    replaced = [s for s in view["stakeholders"] if not s["active"]]
    for entry in replaced:
        echo(f"  (replaced) {entry['name']} → {entry['replaced_by']}: {entry['replaced_reason']}")


@stakeholder_app.command("replace")
def stakeholder_replace(
    old: Annotated[str, typer.Argument(help="The current contact.")],
    new: Annotated[str, typer.Argument(help="The new contact person.")],
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="Why, in neutral words (e.g. after abuse).")
    ],
    session: SessionOption = None,
) -> None:
    """Replace a contact person (after abuse, absence...), recording why."""
    from crisiscli.recording import replace_stakeholder  # noqa: PLC0415

    check_text_option("--reason", reason, single_line=False)
    store, state, clock, actor = _context(session)
    replace_stakeholder(store, state, old, new, reason=reason, clock=clock, actor=actor)
    echo(f"{new} replaces {old}; the updates promised to {old} now go to {new}.")


def update(  # noqa: PLR0917 - typer passes options by position
    text: Annotated[
        str | None,
        typer.Argument(
            help="The update as sent (leave out with --no-news to draft one).", show_default=False
        ),
    ] = None,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            "-t",
            help="A stakeholder it went to (repeat); default: all of them.",
            show_default=False,
        ),
    ] = None,
    channel: ChannelOption = None,
    next_in: Annotated[
        int | None,
        typer.Option(
            "--next-in",
            "-n",
            help="Minutes until the next update you promised.",
            show_default=False,
        ),
    ] = None,
    no_news: Annotated[
        bool,
        typer.Option("--no-news", help="Nothing new yet: draft and record the holding message."),
    ] = False,
    session: SessionOption = None,
) -> None:
    """Record an update sent to stakeholders, and the next one it promises."""
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.recording import check_recipients, send_update  # noqa: PLC0415

    store, state, clock, actor = _context(session)
    check_recipients(state, to or [])
    if text is None:
        if not no_news:
            raise UsageError("give the update's TEXT, or --no-news to draft a holding message")
        # The draft names a time for the next update: record it as the promise.
        next_in = next_in or state.playbook.playbook.cadence.update_every_minutes
        text = draft_no_news(state, clock.now(), next_in)
        echo(text)
    check_text_option("TEXT", text, single_line=False)
    flags = coach_flags(text, state.language)
    event = send_update(
        store,
        state,
        text,
        to=to or [],
        channel=channel,
        next_in_minutes=next_in,
        no_news=no_news,
        flags=flags,
        clock=clock,
        actor=actor,
    )
    payload = event.payload
    recipients = ", ".join(state.live.updates[-1].to) or "nobody yet (no stakeholder recorded)"
    echo(f"Update recorded at {local_time(event.at, state.timezone)} for {recipients}.")
    if payload["next_at"]:
        echo(f"Next update promised by {local_time(payload['next_at'], state.timezone)}.")


def draft_no_news(state: SessionState, now: Any, next_in: int | None) -> str:
    """The holding message, from the ``update`` template in plain text."""
    from datetime import timedelta  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from crisiscli.cli.common import home  # noqa: PLC0415
    from crisiscli.report_context import build_context  # noqa: PLC0415
    from crisiscli.reports import render_report  # noqa: PLC0415

    minutes = next_in or state.playbook.playbook.cadence.update_every_minutes
    context = build_context(state, language=state.language, now=now)
    promised = context.updates.model_copy(
        update={
            "next_at": (now + timedelta(minutes=minutes)).astimezone(context.generated_at.tzinfo)
        }
    )
    context = context.model_copy(update={"updates": promised})
    return render_report(context, template="update", fmt="txt", home=home(), cwd=Path.cwd()).strip()


def coach_flags(text: str, language: str) -> list[dict[str, Any]]:
    """The comms coach's findings on an update: shown as warnings, kept with the update.

    The coach never blocks: the update was sent already; this is for next time.
    """
    from crisiscli.coach import coach  # noqa: PLC0415

    flags = coach(text, language)
    for flag in flags:
        excerpt = f' "{flag.excerpt}"' if flag.excerpt else ""
        echo(f"coach: {flag.category}{excerpt}: {flag.reason}", err=True)
    return [flag.to_json() for flag in flags]


def impact(
    affected: Annotated[str, typer.Option("--affected", "-a", help="Users affected now.")],
    total: Annotated[str, typer.Option("--total", "-T", help="Users who could be affected.")],
    note_text: Annotated[
        str | None, typer.Option("--note", help="How it was counted.", show_default=False)
    ] = None,
    session: SessionOption = None,
) -> None:
    """Record an impact measurement: affected users out of the total."""
    from crisiscli.formatting import format_percent  # noqa: PLC0415
    from crisiscli.impact import shares  # noqa: PLC0415
    from crisiscli.messages import format_number  # noqa: PLC0415
    from crisiscli.recording import measure_impact  # noqa: PLC0415

    if note_text is not None:
        check_text_option("--note", note_text, single_line=False)
    store, state, clock, actor = _context(session)
    counts = [
        _count(option, value, state.language)
        for option, value in (("--affected", affected), ("--total", total))
    ]
    event = measure_impact(
        store, state, affected=counts[0], total=counts[1], note=note_text, clock=clock, actor=actor
    )
    language = state.language
    figures = shares(counts[0], counts[1])
    assert figures is not None
    echo(
        f"{format_number(counts[0], language)} of {format_number(counts[1], language)} affected "
        f"({format_percent(figures[0], language)}), {format_percent(figures[1], language)} working"
        f" — recorded at {local_time(event.at, state.timezone)}."
    )


def _read_option(option: str, raw: str, kind: Literal["integer", "number"], language: str) -> Any:
    """A number typed in an option, read like an answer (``1,000``, ``1 000``, ``99,7``)."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from crisiscli.answers import InvalidAnswer, parse_answer  # noqa: PLC0415
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.playbook import Question  # noqa: PLC0415

    question = Question(id="option", type=kind, prompt=option, min=0)
    try:
        return parse_answer(question, raw, language=language, zone=UTC, now=datetime.now(UTC))
    except InvalidAnswer as refused:
        raise UsageError(f"{option} {raw!r}: {refused.reason}") from None


def _amount(raw: str, language: str, currency: str) -> Any:
    """An amount typed ``1500``, ``1,500.50`` or (French) ``1 500,50``; currency decimals."""
    from decimal import Decimal  # noqa: PLC0415

    from crisiscli.contract import minor_unit  # noqa: PLC0415
    from crisiscli.errors import UsageError  # noqa: PLC0415

    amount = Decimal(str(_read_option("--offer", raw, "number", language)))
    decimals = minor_unit(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-decimals)):
        raise UsageError(f"--offer {raw!r} has more decimals than {currency} allows ({decimals})")
    return amount


def _count(option: str, raw: str, language: str) -> int:
    """A user count typed as ``1000``, ``1,000`` or ``1 000`` (the answers' own reading)."""
    value = _read_option(option, raw, "integer", language)
    assert isinstance(value, int)
    return value


def limit(
    name: Annotated[str, typer.Argument(help="The contact whose behaviour crossed the line.")],
    level: Annotated[
        str, typer.Option("--level", "-l", help="warn, final-warning, end-contact or escalate.")
    ],
    text: Annotated[
        str | None,
        typer.Option(
            "--text", help="What was said and done, in neutral words.", show_default=False
        ),
    ] = None,
    session: SessionOption = None,
) -> None:
    """Record a rung of the limits ladder with an abusive contact."""
    from crisiscli.recording import set_limit  # noqa: PLC0415

    if text is not None:
        check_text_option("--text", text, single_line=False)
    store, state, clock, actor = _context(session)
    event = set_limit(store, state, name, level=level, text=text, clock=clock, actor=actor)
    when = local_time(event.at, state.timezone)
    echo(f"Limit '{level}' for {event.payload['name']} recorded at {when}.")


def feedback(
    source: Annotated[str, typer.Option("--from", "-f", help="Who gave the score.")],
    score: Annotated[int, typer.Option("--score", help="Score from 0 to 10.")],
    text: Annotated[str | None, typer.Argument(help="What they said.", show_default=False)] = None,
    phase: Annotated[
        str, typer.Option("--phase", help="before (the crisis) or after (it).")
    ] = "after",
    session: SessionOption = None,
) -> None:
    """Record a feedback score from 0 to 10, before or after the crisis."""
    from crisiscli.live import recovery_paradox  # noqa: PLC0415
    from crisiscli.recording import give_feedback  # noqa: PLC0415

    if text is not None:
        check_text_option("TEXT", text, single_line=False)
    store, state, clock, actor = _context(session)
    give_feedback(
        store, state, source=source, score=score, phase=phase, text=text, clock=clock, actor=actor
    )
    echo(f"Feedback recorded: {score}/10 from {source} ({phase}).")
    paradox = recovery_paradox(state.live.feedback)
    if paradox is not None:
        echo(
            "The after-crisis score beats the one before: the recovery paradox held."
            if paradox
            else "The after-crisis score does not beat the one before."
        )


def compensation(  # noqa: PLR0917 - typer passes options by position
    contract: Annotated[
        Path | None,
        typer.Option(
            "--contract",
            help="TOML file with the contract's terms (default: the playbook's \\[contract]).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    offer: Annotated[
        str | None,
        typer.Option(
            "--offer", help="Offer this amount instead of the proposal.", show_default=False
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Record without asking.")] = False,
    note_text: Annotated[
        str | None,
        typer.Option("--note", help="Anything to add to the decision.", show_default=False),
    ] = None,
    as_json: JsonOption = False,
    session: SessionOption = None,
) -> None:
    """Compute what the contract owes for the outage, propose a generous offer, record it."""
    import sys  # noqa: PLC0415
    from decimal import Decimal  # noqa: PLC0415

    from crisiscli.compensation import assess_session, contract_for, decision_payload  # noqa: PLC0415
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.messages import format_number  # noqa: PLC0415
    from crisiscli.recording import decide_compensation  # noqa: PLC0415

    if note_text is not None:
        check_text_option("--note", note_text, single_line=False)
    store, state, clock, actor = _context(session)
    terms = contract_for(state, contract)
    assessment = assess_session(state, terms, clock.now())
    offered = assessment.proposed
    if offer is not None:
        offered = _amount(offer, state.language, assessment.currency)
        if offered < assessment.owed:
            raise UsageError(
                f"--offer {offer} is below what the contract owes ({assessment.owed} "
                f"{assessment.currency}); offer at least that"
            )
    language = state.language
    payload = decision_payload(assessment, language=language, offered=offered, note=note_text)

    def amount(value: Decimal) -> str:
        return f"{format_number(float(value), language)} {assessment.currency}"

    money = amount(offered)
    if not as_json:
        echo(assessment.explain(language))
        echo()
        echo(f"Owed under the contract  {amount(assessment.owed)}")
        echo(f"Proposed                 {amount(assessment.proposed)}")
        for label in payload["gestures"]:
            echo(f"Gesture                  {label}")
        echo(f"To offer                 {money}")
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("confirm with --yes to record the offer without a terminal")
        if not typer.confirm("Record this offer?", default=True):
            echo("Nothing recorded.")
            return
    event = decide_compensation(store, state, payload, clock=clock, actor=actor)
    if as_json:
        print_json({"decided_at": event.at.isoformat(), **payload})
        return
    echo(f"Offer of {money} recorded at {local_time(event.at, state.timezone)}.")
