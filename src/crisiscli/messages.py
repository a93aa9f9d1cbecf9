"""What the responder reads mid-crisis, in English and French.

Messages are chosen by the session's language. Each entry has both languages;
a test checks that no entry lacks one and that both use the same fields.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    # Reasons an answer is refused; shown before the question is asked again.
    "answer.required": {
        "en": "an answer is required",
        "fr": "une réponse est nécessaire",
    },
    "answer.too_long": {
        "en": "the answer is longer than {limit:,} characters; shorten it",
        "fr": "la réponse dépasse {limit:,} caractères ; raccourcissez-la",
    },
    "answer.encoding": {
        "en": "the answer holds bytes that are not valid UTF-8 text",
        "fr": "la réponse contient des octets qui ne sont pas du texte UTF-8 valide",
    },
    "answer.single_line": {
        "en": "expected a single line of text",
        "fr": "une seule ligne de texte est attendue",
    },
    "answer.integer": {
        "en": "expected a whole number, like 1000",
        "fr": "un nombre entier est attendu, par exemple 1000",
    },
    "answer.number": {
        "en": "expected a number, like 99.7",
        "fr": "un nombre est attendu, par exemple 99,7",
    },
    "answer.min": {
        "en": "expected {minimum} or more",
        "fr": "une valeur supérieure ou égale à {minimum} est attendue",
    },
    "answer.max": {
        "en": "expected {maximum} or less",
        "fr": "une valeur inférieure ou égale à {maximum} est attendue",
    },
    "answer.score": {
        "en": "expected a score from 0 to 10",
        "fr": "une note de 0 à 10 est attendue",
    },
    "answer.confirm": {
        "en": "expected yes or no",
        "fr": "oui ou non est attendu",
    },
    "answer.choice": {
        "en": "expected one of: {choices} (or its number)",
        "fr": "une de ces valeurs est attendue : {choices} (ou son numéro)",
    },
    "answer.multichoice": {
        "en": "expected some of: {choices}, separated by commas (or their numbers)",
        "fr": "certaines de ces valeurs sont attendues : {choices}, séparées par des "
        "virgules (ou leurs numéros)",
    },
    "answer.list": {
        "en": "expected a list of items",
        "fr": "une liste d'éléments est attendue",
    },
    "answer.actions": {
        "en": "expected one action per line as: what; owner; due date (the date may be left out)",
        "fr": "une action par ligne est attendue : quoi ; qui ; échéance (la date est facultative)",
    },
    "answer.action_date": {
        "en": "the due date of '{action}' should be a date like 2026-12-01",
        "fr": "l'échéance de « {action} » doit être une date comme 01/12/2026",
    },
    "answer.datetime": {
        "en": "expected a date and time like 2026-11-22 14:05, a time like 14:05, or 'now'",
        "fr": "une date et une heure comme 22/11/2026 14h05 ou 2026-11-22 14:05, une heure "
        "comme 14h05, ou « maintenant » sont attendues",
    },
    "answer.text": {
        "en": "expected text",
        "fr": "du texte est attendu",
    },
    # The walk through a playbook.
    "walk.step": {
        "en": "Step {number} of {total}: {title}",
        "fr": "Étape {number} sur {total} : {title}",
    },
    "walk.checklist": {"en": "Checklist", "fr": "À faire"},
    "walk.invalid": {
        "en": "Not recorded: {reason}.",
        "fr": "Non enregistré : {reason}.",
    },
    "walk.computed": {"en": "{key} = {value}", "fr": "{key} = {value}"},
    "walk.not_computed": {
        "en": "{key} could not be computed: it {reason}",
        "fr": "{key} n'a pas pu être calculé : l'expression {reason}",
    },
    "walk.hint.multiline": {
        "en": "(several lines; finish with a line holding a single dot)",
        "fr": "(plusieurs lignes ; terminez par une ligne ne contenant qu'un point)",
    },
    "walk.hint.list": {
        "en": "(one item per line; finish with an empty line)",
        "fr": "(un élément par ligne ; terminez par une ligne vide)",
    },
    "walk.hint.actions": {
        "en": "(one action per line as: what; owner; due date; finish with an empty line)",
        "fr": "(une action par ligne : quoi ; qui ; échéance ; terminez par une ligne vide)",
    },
    "walk.hint.optional": {
        "en": "(optional: press Enter to skip)",
        "fr": "(facultatif : appuyez sur Entrée pour passer)",
    },
    "walk.started": {
        "en": "Session {session_id} started: {title}",
        "fr": "Session {session_id} commencée : {title}",
    },
    "walk.resumed": {
        "en": "Resuming session {session_id}: {title}",
        "fr": "Reprise de la session {session_id} : {title}",
    },
    "walk.done": {
        "en": "Every step of the playbook is recorded for session {session_id}. "
        "Close it with `crisis close` once the customer is back to normal.",
        "fr": "Toutes les étapes du playbook sont enregistrées pour la session {session_id}. "
        "Clôturez-la avec `crisis close` quand le client a retrouvé un service normal.",
    },
    "walk.saved": {
        "en": "saved; continue with `crisis resume {session_id}`",
        "fr": "enregistré ; reprenez avec `crisis resume {session_id}`",
    },
    "walk.conflict": {
        "en": "{key} was answered meanwhile by {actor}: {value}. Your answer was not recorded.",
        "fr": "{key} a été renseigné entre-temps par {actor} : {value}. "
        "Votre réponse n'a pas été enregistrée.",
    },
    "walk.nothing_saved": {
        "en": "stopped before the session started; nothing was recorded",
        "fr": "arrêté avant le début de la session ; rien n'a été enregistré",
    },
    # One-line summaries of journal events (status timeline, report appendix).
    "event.session_started": {
        "en": "started with playbook {playbook} ({language})",
        "fr": "commencée avec le playbook {playbook} ({language})",
    },
    "event.not_computed": {
        "en": "{key} not computed: {reason}",
        "fr": "{key} non calculé : {reason}",
    },
    "event.session_closed": {"en": "closed", "fr": "close"},
    "event.session_closed_because": {
        "en": "closed: {resolution}",
        "fr": "close : {resolution}",
    },
    "event.note": {"en": "note: {text}", "fr": "note : {text}"},
    "event.note_from": {
        "en": "{source} ({channel}): {text}",
        "fr": "{source} ({channel}) : {text}",
    },
    "event.stakeholder_added": {
        "en": "stakeholder added: {name}",
        "fr": "partie prenante ajoutée : {name}",
    },
    "event.stakeholder_replaced": {
        "en": "{old} replaced by {new}: {reason}",
        "fr": "{old} remplacé·e par {new} : {reason}",
    },
    "event.update_sent": {
        "en": "update sent to {to}: {text}",
        "fr": "point envoyé à {to} : {text}",
    },
    "event.update_everyone": {"en": "every stakeholder", "fr": "toutes les parties prenantes"},
    "event.impact_measured": {
        "en": "impact measured: {affected:,} of {total:,} affected",
        "fr": "impact mesuré : {affected} touchés sur {total}",
    },
    "event.limit_set": {
        "en": "limit set for {name}: {level}",
        "fr": "limite posée pour {name} : {level}",
    },
    "event.feedback_given": {
        "en": "feedback from {source} ({phase}): {score}/10",
        "fr": "avis de {source} ({phase}) : {score}/10",
    },
    "event.compensation_decided": {
        "en": "compensation decided: {offered} {currency}",
        "fr": "dédommagement décidé : {offered} {currency}",
    },
    # Timeline entries of reports.
    "timeline.started": {
        "en": "The problem started for the customer",
        "fr": "Début du problème pour le client",
    },
    "timeline.detected": {"en": "We learnt about it", "fr": "Nous en sommes informés"},
    "timeline.mitigated": {
        "en": "The workaround took effect",
        "fr": "La solution de contournement fait effet",
    },
    "timeline.resolved": {
        "en": "The service was back to normal",
        "fr": "Le service est revenu à la normale",
    },
    "timeline.update_promised": {
        "en": "Next update promised to stakeholders",
        "fr": "Prochain point promis aux parties prenantes",
    },
    "timeline.session_started": {
        "en": "Crisis response started with the playbook \u201c{title}\u201d",
        "fr": "Début de la gestion de crise avec le playbook « {title} »",
    },
    "timeline.session_closed": {
        "en": "Crisis response closed",
        "fr": "Fin de la gestion de crise",
    },
    "timeline.session_closed_because": {
        "en": "Crisis response closed: {resolution}",
        "fr": "Fin de la gestion de crise : {resolution}",
    },
    "timeline.step_done": {"en": "Step completed: {title}", "fr": "Étape terminée : {title}"},
    # Training drills (crisis replay).
    "drill.noted": {"en": "Noted.", "fr": "Noté."},
    "drill.stakeholder": {
        "en": "Added {name}: an update every {minutes} minutes.",
        "fr": "{name} ajouté·e : un point toutes les {minutes} minutes.",
    },
    "drill.replaced": {
        "en": "{new} replaces {old} as the contact.",
        "fr": "{new} remplace {old} comme interlocuteur.",
    },
    "drill.update": {
        "en": "Update sent to {count} stakeholder(s).",
        "fr": "Point envoyé à {count} partie(s) prenante(s).",
    },
    "drill.coach": {
        "en": "coach: {category} \u201c{excerpt}\u201d: {reason}",
        "fr": "coach : {category} « {excerpt} » : {reason}",
    },
    "drill.impact": {
        "en": "Impact recorded: {affected:,} of {total:,} affected.",
        "fr": "Impact enregistré : {affected:,} touchés sur {total:,}.",
    },
    "drill.limit": {
        "en": "Limit '{level}' recorded for {name}.",
        "fr": "Limite « {level} » enregistrée pour {name}.",
    },
    "drill.feedback": {
        "en": "Score {score}/10 from {source} recorded.",
        "fr": "Note de {score}/10 de {source} enregistrée.",
    },
    "drill.compensation": {
        "en": "Offer recorded: {offered} {currency} (the contract owes {owed} {currency}).",
        "fr": "Offre enregistrée : {offered} {currency} (le contrat doit {owed} {currency}).",
    },
    "drill.walked": {
        "en": "Playbook: {count} answer(s) recorded.",
        "fr": "Playbook : {count} réponse(s) enregistrée(s).",
    },
    "drill.completed": {"en": "Training drill finished", "fr": "Exercice terminé"},
    "drill.stopped": {"en": "Training drill stopped early", "fr": "Exercice interrompu"},
    "channel.phone": {"en": "phone", "fr": "téléphone"},
    "channel.email": {"en": "e-mail", "fr": "e-mail"},
    "channel.chat": {"en": "chat", "fr": "messagerie"},
    "channel.meeting": {"en": "meeting", "fr": "réunion"},
    "drill.help.walk": {
        "en": "Answer the playbook's next steps: walk (all that are left) or walk STEPS.",
        "fr": "Répondre aux étapes suivantes du playbook : walk (toutes) ou walk NOMBRE.",
    },
    "drill.help.note": {
        "en": "Record a note, or what someone told you: note [--from NAME] [--channel C] TEXT",
        "fr": "Noter un fait, ou ce qu'on vous a dit : note [--from NOM] [--channel C] TEXTE",
    },
    "drill.help.stakeholder": {
        "en": "Add a stakeholder: stakeholder NAME [--org ORG] [--role ROLE] [--cadence MINUTES]",
        "fr": "Ajouter une partie prenante : stakeholder NOM [--org ORG] [--role RÔLE] "
        "[--cadence MINUTES]",
    },
    "drill.help.replace": {
        "en": "Replace a contact: replace OLD NEW --reason TEXT",
        "fr": "Changer d'interlocuteur : replace ANCIEN NOUVEAU --reason TEXTE",
    },
    "drill.help.update": {
        "en": "Send an update: update [--to NAME]... [--channel C] [--next-in MINUTES] TEXT",
        "fr": "Envoyer un point : update [--to NOM]... [--channel C] [--next-in MINUTES] TEXTE",
    },
    "drill.help.impact": {
        "en": "Measure the impact: impact --affected N --total N [--note TEXT]",
        "fr": "Mesurer l'impact : impact --affected N --total N [--note TEXTE]",
    },
    "drill.help.limit": {
        "en": "Set a limit: limit NAME --level warn|final-warning|end-contact|escalate [TEXT]",
        "fr": "Poser une limite : limit NOM --level warn|final-warning|end-contact|escalate "
        "[TEXTE]",
    },
    "drill.help.feedback": {
        "en": "Record a score: feedback --from NAME --score 0-10 [--phase before|after] [TEXT]",
        "fr": "Noter un avis : feedback --from NOM --score 0-10 [--phase before|after] [TEXTE]",
    },
    "drill.help.compensation": {
        "en": "Decide compensation under the scenario's contract: compensation [--offer AMOUNT]",
        "fr": "Décider d'un geste selon le contrat du scénario : compensation [--offer MONTANT]",
    },
    "drill.help.end": {
        "en": "End the drill now and see the scorecard.",
        "fr": "Terminer l'exercice maintenant et voir le bilan.",
    },
    "drill.playback_stopped": {
        "en": "Playback stopped; nothing was recorded.",
        "fr": "Relecture arrêtée ; rien n'a été enregistré.",
    },
    "drill.inject": {"en": "{who}, {channel}:", "fr": "{who}, {channel} :"},
    "drill.channel.phone": {"en": "by phone", "fr": "par téléphone"},
    "drill.channel.email": {"en": "by e-mail", "fr": "par e-mail"},
    "drill.channel.chat": {"en": "on chat", "fr": "par messagerie"},
    "drill.channel.meeting": {"en": "in a meeting", "fr": "en réunion"},
    "drill.inject_impact": {
        "en": "(the figures now: {affected:,} of {total:,} affected)",
        "fr": "(les chiffres désormais : {affected:,} touchés sur {total:,})",
    },
    "drill.restored": {"en": "(the service is back)", "fr": "(le service est rétabli)"},
    "drill.down_again": {
        "en": "(the service is down again)",
        "fr": "(le service est de nouveau coupé)",
    },
    "drill.scorecard": {
        "en": "Scorecard: {title}: {score} of {maximum} {points} ({percent}%)",
        "fr": "Bilan : {title} : {score} {points} sur {maximum} ({percent} %)",
    },
    "drill.debrief_hint": {
        "en": "Recorded as training session {session_id}. Debrief: crisis report {session_id} "
        "--template debrief",
        "fr": "Enregistré comme session d'entraînement {session_id}. Débriefing : crisis report "
        "{session_id} --template debrief",
    },
    "drill.console.title": {
        "en": "Training drill: {title} ({minutes} simulated minutes)",
        "fr": "Exercice : {title} ({minutes} minutes simulées)",
    },
    "drill.console.help": {
        "en": "Injects arrive as the simulated clock runs. Type `walk` to work through the "
        "playbook, an action such as `update --to NAME --next-in 30 TEXT`, `status`, `help` for "
        "every action, or `end` when you are done.",
        "fr": "Les messages arrivent au fil de l'horloge simulée. Tapez `walk` pour dérouler le "
        "playbook, une action comme `update --to NOM --next-in 30 TEXTE`, `status`, `help` pour "
        "toutes les actions, ou `end` quand vous avez fini.",
    },
    "drill.console.step_help": {
        "en": "Press Enter (or type `next`) for the next inject. Type `walk` to work through the "
        "playbook, an action such as `update --to NAME --next-in 30 TEXT`, `status`, `help` for "
        "every action, or `end` when you are done.",
        "fr": "Appuyez sur Entrée (ou tapez `next`) pour le message suivant. Tapez `walk` pour "
        "dérouler le playbook, une action comme `update --to NOM --next-in 30 TEXTE`, `status`, "
        "`help` pour toutes les actions, ou `end` quand vous avez fini.",
    },
    "drill.console.time_up": {
        "en": "Time is up: the drill is over.",
        "fr": "Le temps est écoulé : l'exercice est terminé.",
    },
    "drill.console.stopped": {
        "en": "Drill stopped; everything you did is recorded.",
        "fr": "Exercice interrompu ; tout ce que vous avez fait est enregistré.",
    },
    "drill.console.no_more": {
        "en": "No more injects; carry on, or type `end`.",
        "fr": "Plus aucun message à venir ; continuez, ou tapez `end`.",
    },
    "drill.console.status_help": {
        "en": "Where the drill stands: time left, who is due an update.",
        "fr": "Où en est l'exercice : temps restant, qui attend un point.",
    },
    "drill.console.next_help": {
        "en": "Bring the next inject now.",
        "fr": "Faire venir le message suivant.",
    },
    "drill.console.refused": {"en": "Not recorded: {problem}", "fr": "Non enregistré : {problem}"},
    "drill.console.walk_paused": {
        "en": "Walk paused; your answers are kept. Type `walk` to go on.",
        "fr": "Playbook en pause ; vos réponses sont conservées. Tapez `walk` pour reprendre.",
    },
    "drill.console.walk_done": {
        "en": "The playbook is complete.",
        "fr": "Le playbook est terminé.",
    },
    "drill.console.status": {
        "en": "{minute}: {left} minutes left, {pending} inject(s) to come, {updates} update(s) "
        "sent.",
        "fr": "{minute} : encore {left} minutes, {pending} message(s) à venir, {updates} point(s) "
        "envoyé(s).",
    },
    "drill.console.due": {
        "en": "{name}: next update due in {minutes} min",
        "fr": "{name} : prochain point dans {minutes} min",
    },
    "drill.console.overdue": {
        "en": "{name}: update OVERDUE by {minutes} min",
        "fr": "{name} : point EN RETARD de {minutes} min",
    },
    "event.inject_received": {
        "en": "inject from {source} ({channel}): {text}",
        "fr": "message de {source} ({channel}) : {text}",
    },
    "event.drill_started": {
        "en": "training drill started: {title}",
        "fr": "début de l'exercice : {title}",
    },
    "event.drill_finished": {
        "en": "training drill ended ({reason}) at minute {minutes}",
        "fr": "fin de l'exercice ({reason}) à la minute {minutes}",
    },
    # Figures across crises (crisis stats).
    "stats.title": {"en": "Figures across crises", "fr": "Chiffres des crises"},
    "stats.scope.all": {"en": "Every session.", "fr": "Toutes les sessions."},
    "stats.scope.since": {
        "en": "Sessions started since {since}.",
        "fr": "Sessions commencées depuis le {since}.",
    },
    "stats.scope.real": {
        "en": "Training drills left out (--training includes them).",
        "fr": "Exercices d'entraînement exclus (--training les inclut).",
    },
    "stats.scope.training": {
        "en": "Training drills included.",
        "fr": "Exercices d'entraînement compris.",
    },
    "stats.none": {"en": "No session to count.", "fr": "Aucune session à compter."},
    "stats.head.figure": {"en": "Figure", "fr": "Indicateur"},
    "stats.head.value": {"en": "Value", "fr": "Valeur"},
    "stats.sessions": {"en": "Sessions", "fr": "Sessions"},
    "stats.sessions.value": {
        "en": "{count} (open: {open}, closed: {closed})",
        "fr": "{count} (en cours : {open}, closes : {closed})",
    },
    "stats.playbooks": {"en": "Playbooks", "fr": "Playbooks"},
    "stats.mitigation": {"en": "Time to mitigation", "fr": "Délai de contournement"},
    "stats.mitigation.value": {
        "en": "median {median}, from {low} to {high}",
        "fr": "médiane {median}, de {low} à {high}",
    },
    "stats.mitigation.none": {
        "en": "no mitigation time recorded",
        "fr": "aucune heure de contournement enregistrée",
    },
    "stats.mitigation.coverage": {
        "en": "sessions with a mitigation time: {have} of {count}",
        "fr": "sessions avec une heure de contournement : {have} sur {count}",
    },
    "stats.cadence": {"en": "Update cadence", "fr": "Rythme des points"},
    "stats.cadence.value": {
        "en": "promised updates kept: {kept} of {due} ({percent})",
        "fr": "points promis tenus : {kept} sur {due} ({percent})",
    },
    "stats.cadence.none": {
        "en": "no promised update due yet",
        "fr": "aucun point promis n'est encore échu",
    },
    "stats.cadence.coverage": {
        "en": "sessions with promises due: {have} of {count}",
        "fr": "sessions avec des promesses échues : {have} sur {count}",
    },
    "stats.feedback.before": {"en": "Feedback before", "fr": "Avis avant"},
    "stats.feedback.after": {"en": "Feedback after", "fr": "Avis après"},
    "stats.feedback.value": {
        "en": "average {average}/10 (scores: {scores}, sessions: {sessions})",
        "fr": "moyenne {average}/10 (notes : {scores}, sessions : {sessions})",
    },
    "stats.feedback.none": {"en": "no score", "fr": "aucune note"},
    "stats.paradox": {"en": "Recovery paradox", "fr": "Paradoxe de la reprise"},
    "stats.paradox.value": {
        "en": "held in sessions scored before and after: {held} of {count}",
        "fr": "vérifié dans les sessions notées avant et après : {held} sur {count}",
    },
    "stats.paradox.none": {
        "en": "no session scored both before and after",
        "fr": "aucune session notée avant et après",
    },
    "stats.compensation": {"en": "Compensation", "fr": "Dédommagement"},
    "stats.compensation.value": {
        "en": "{offered} offered (owed: {owed}), sessions: {sessions}",
        "fr": "{offered} offerts (dus : {owed}), sessions : {sessions}",
    },
    "stats.compensation.none": {
        "en": "no compensation decided",
        "fr": "aucun dédommagement décidé",
    },
    "stats.compensation.coverage": {
        "en": "sessions with a compensation decision: {have} of {count}",
        "fr": "sessions avec un dédommagement décidé : {have} sur {count}",
    },
    "stats.bars.cadence": {
        "en": "Promised updates kept, per session",
        "fr": "Points promis tenus, par session",
    },
    "stats.bars.cadence.value": {
        "en": "{percent} ({kept} of {due})",
        "fr": "{percent} ({kept} sur {due})",
    },
    "stats.bars.cadence.none": {"en": "no promise due", "fr": "aucune promesse échue"},
    "stats.bars.feedback": {"en": "Average feedback, out of 10", "fr": "Avis moyen, sur 10"},
    "stats.bars.before": {"en": "before", "fr": "avant"},
    "stats.bars.after": {"en": "after", "fr": "après"},
    "stats.bars.mitigation": {
        "en": "Time to mitigation, per session",
        "fr": "Délai de contournement, par session",
    },
    "stats.bars.not_recorded": {"en": "not recorded", "fr": "non enregistré"},
    # Reports.
    "report.not_recorded": {"en": "not recorded yet", "fr": "pas encore renseigné"},
    "walk.yes": {"en": "yes", "fr": "oui"},
    "walk.no": {"en": "no", "fr": "non"},
}


def t(message_id: str, language: str, /, **fields: Any) -> str:
    """The message ``message_id`` in ``language`` (English when that one is unknown)."""
    entry = MESSAGES[message_id]
    text = entry.get(language, entry["en"])
    if language == "fr":
        # French groups thousands with a narrow no-break space, not a comma.
        fields = {k: _french_number(v) for k, v in fields.items()}
        text = text.replace(":,}", "}")
    return text.format(**fields)


def _french_number(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value, "fr")
    return value


def format_number(value: float, language: str) -> str:
    """``1,000`` and ``99.7`` in English; ``1 000`` and ``99,7`` in French."""
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        text = f"{value:,.10g}" if abs(value) < 1e15 else f"{value:.6g}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
