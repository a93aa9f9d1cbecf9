"""Consistent stand-ins for names, e-mail addresses and phone numbers (``--anonymize``).

A training scenario made from a real session must not let anyone be recognised, yet still
read like the real thing: the same customer is "Contact 1" from the first message to the
last. So every original is mapped once per :class:`Anonymizer`, and the mapping is reused.

Usage is *register, then replace*: call :meth:`Anonymizer.person` and
:meth:`Anonymizer.organisation` for every name the session knows from structured fields,
then pass each free text through :meth:`Anonymizer.text`. Names are never guessed from
prose (that is unreliable); only e-mail addresses and phone numbers are found on their own,
because their shape gives them away. Stand-ins are final once registration is over: a new
name found inside an earlier stand-in (someone called "Contact") gets that stand-in replaced.
Names are escaped before they become regular expressions, and no pattern nests quantifiers
that could backtrack: the work is linear in the size of the text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from itertools import count

_WORDS = {  # stand-in words by preference; the next one is used if a name contains one
    ("en", "person"): ("Contact", "Person", "Individual"),
    ("en", "organisation"): ("Company", "Organisation", "Firm"),
    ("en", "email"): ("contact", "mailbox"),
    ("fr", "person"): ("Contact", "Personne", "Interlocuteur"),
    ("fr", "organisation"): ("Société", "Organisation", "Entreprise"),
    ("fr", "email"): ("contact", "adresse"),
}
_EMAIL_DOMAINS = ("example.com", "example.org")  # reserved (RFC 2606): they reach nobody
_ELISIONS = "d|qu|lorsqu|puisqu|jusqu"  # French words elided before a name: d'Élodie
_PLAIN = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "‐": "-", "‑": "-"})

_EMAIL = re.compile(r"(?<![\w.%+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_SEP = r"[ .\-\u00a0\u202f]"
# One separator throughout the body, so that "2026-11-22 06 12 34 56 78" is two candidates.
_PHONE = re.compile(
    rf"(?<![\w.,/+\-])(?<!\d:)(?P<cc>\+\d{{1,3}}{_SEP}?)?(?P<area>\(\d{{1,4}}\){_SEP}?)?"
    rf"(?P<body>\d{{1,15}}(?:(?P<sep>{_SEP})\d{{1,6}}(?:(?P=sep)\d{{1,6}})*)?)"
    r"(?![\w:/%]|[.,]\d)",
    re.ASCII,
)
_NOT_PHONE = re.compile(
    r"\d{4}([-./])\d\d?\1\d\d?|\d\d?([-./])\d\d?\2\d{4}"  # dates: 2026-11-22, 22.11.2026
    r"|\d{1,3}([ .\u00a0\u202f])\d{3}(?:\3\d{3})*"  # amounts: 12 345 678
    r"|\d{1,3}(?:\.\d{1,3}){3}",  # IPv4 addresses
    re.ASCII,
)
# Country code -> (national length, trunk prefix), so "+33 6 12 34 56 78" == "06 12 34 56 78".
_TRUNKS = {"33": (9, "0"), "44": (10, "0"), "1": (10, "")}


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """Lower case, without accents, typographic apostrophes and hyphens made plain."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_PLAIN)


def _fold(text: str) -> str:
    return "".join(map(_fold_char, text))


def _fold_indexed(text: str) -> tuple[str, Sequence[int]]:
    """The folded text, and the index in ``text`` of each folded position ("ß" -> "ss")."""
    if text.isascii():
        return text.lower(), range(len(text) + 1)
    pieces: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        pieces.append(_fold_char(char))
        index += [position] * len(pieces[-1])
    return "".join(pieces), [*index, len(text)]


def _key(name: str) -> str:
    """How names are compared: folded, single spaces, hyphens without spaces around."""
    return re.sub(r"[ -]*-[ -]*", "-", " ".join(_fold(name).split()))


@functools.lru_cache(maxsize=65536)
def _phrases(standin: str) -> frozenset[str]:
    """Every run of whole words in a stand-in, as a key: what a name in it would look like."""
    folded = _fold(standin)
    cuts = [0, *(i for i in range(1, len(folded)) if not folded[i - 1 : i + 1].isalnum())]
    cuts.append(len(folded))
    return frozenset(_key(folded[i:j]) for i in cuts for j in cuts if i < j)


def _phone_key(number: str) -> str:
    digits = re.sub(r"[^0-9]", "", number.replace("(0)", ""))  # +33 (0)6 12 34 56 78
    if not number.startswith("+"):
        return digits
    for code, (length, trunk) in _TRUNKS.items():
        if digits.startswith(code) and len(digits) == len(code) + length:
            return trunk + digits[len(code) :]
    return "+" + digits


def _is_phone(match: re.Match[str]) -> bool:
    """Whether a candidate is a phone number rather than a date, amount, address or count."""
    body = match.group("body")
    groups = re.split(r"[^0-9]+", body)
    digits = sum(char.isdigit() for char in match.group())
    if not 8 <= digits <= 15 or any(len(group) < 2 for group in groups[1:]):
        return False
    return bool(match.group("cc") or match.group("area")) or not (
        _NOT_PHONE.fullmatch(body) or (len(groups) == 1 and not re.fullmatch(r"0\d{9}", body))
    )


def _phone_standin(number: int) -> str:
    """Ofcom's numbers reserved for drama: they never ring anyone."""
    if number <= 1000:
        return f"+44 7700 900{number - 1:03d}"
    return f"+44 20 7946 {number - 1001:04d}" if number <= 2000 else f"#{number}"


_DETECTED: dict[str, Callable[[str], str]] = {"email": str.casefold, "phone": _phone_key}


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    pieces, position = [], 0
    for start, end, replacement in edits:
        pieces += [text[position:start], replacement]
        position = end
    return "".join([*pieces, text[position:]])


class Anonymizer:
    """Maps originals to stand-ins, consistently, for one session turned into a scenario."""

    def __init__(self, language: str) -> None:
        """``language`` ("en" or "fr") only chooses the words stand-ins are made of."""
        if language not in ("en", "fr"):
            raise ValueError(f"unsupported language {language!r}: expected 'en' or 'fr'")
        self._language = language
        self._keys: dict[str, str] = {}  # folded name or name part -> stand-in
        self._found: dict[str, str] = {}  # e-mail or phone key -> stand-in
        self._seen: set[str] = set()  # e-mail and phone keys met in texts: never a stand-in
        self._used: set[str] = set()  # every stand-in ever handed out: never handed out again
        self._kinds: dict[str, str] = {}  # live stand-in -> its kind
        self._counts: dict[str, int] = {}
        self._replacements: dict[str, str] = {}
        self._compiled: tuple[re.Pattern[str], dict[str, str]] | None = None

    def person(self, name: str) -> str:
        """Register a person; returns their stand-in, e.g. "Contact 1".

        Each part of three letters or more gets the same stand-in, because people write
        "Nadia" for "Nadia Ferrand". Case, spacing and accents do not make another person;
        a name already known, also as a part of another, keeps its stand-in. A name
        without a letter or digit (a blank field) is returned as it is.
        """
        return self._register(name, "person", split=True)

    def organisation(self, name: str) -> str:
        """Register an organisation; returns its stand-in, e.g. "Company 1" ("Société 1").

        Organisations are not split: "Acme" alone is a word, "Acme Logistics" is the name.
        """
        return self._register(name, "organisation", split=False)

    def text(self, text: str) -> str:
        """Free text with e-mails, phone numbers and every registered name replaced.

        Register all names first: only names registered so far are replaced. They match as
        whole words, ignoring case and accents, also before "'s" and after "d'" (which
        becomes "de " in French before a consonant); longer names win over shorter ones.
        """
        for kind, pattern in (("email", _EMAIL), ("phone", _PHONE)):  # whole addresses first
            found = [m for m in pattern.finditer(text) if kind == "email" or _is_phone(m)]
            self._seen.update(_DETECTED[kind](m.group()) for m in found)  # never stand-ins
            edits = [(m.start(), m.end(), self._detected(kind, m.group())) for m in found]
            text = _splice(text, edits)
        return self._replace_names(text)

    @property
    def replacements(self) -> dict[str, str]:
        """Original -> stand-in, one entry per distinct original (its first spelling)."""
        return dict(self._replacements)

    def _register(self, name: str, kind: str, *, split: bool) -> str:
        key = _key(name)
        if not any(char.isalnum() for char in key):  # "", "-": identifies nobody, matches anywhere
            return name
        if key not in self._keys:
            parts = [p for p in key.split(" ") if split and sum(c.isalpha() for c in p) >= 3]
            fresh = [k for k in dict.fromkeys([key, *parts]) if k not in self._keys]
            self._keys.update(dict.fromkeys(fresh, ""))  # so the stand-in avoids them too
            self._compiled = None
            standin = self._pick(kind)
            self._keys.update(dict.fromkeys(fresh, standin))
            self._replacements[name] = standin
            for old in [s for s in self._kinds if not _phrases(s).isdisjoint(fresh)]:
                new = self._pick(self._kinds.pop(old))  # the new name is in it: replace it
                for mapping in (self._keys, self._found, self._replacements):
                    mapping.update({original: new for original, s in mapping.items() if s == old})
        return self._keys[key]

    def _pick(self, kind: str) -> str:
        """The next free stand-in: never handed out, not an original, containing no name.

        A name with a digit rules out one number ("Contact 1"); one without rules out the
        whole shape ("Contact"), and the next shape is tried. The last shape, the bare
        number, can only be ruled out one number at a time, so the search always ends.
        """
        shapes: list[Callable[[int], str]] = [_phone_standin, "#{}".format, str]
        if kind != "phone":
            form = "{0}{2}@{1}" if kind == "email" else "{0} {2}"  # contact1@example.com
            domains = _EMAIL_DOMAINS if kind == "email" else ("",)
            words = _WORDS[self._language, kind]
            shapes[:1] = [functools.partial(form.format, w, d) for w in words for d in domains]
        seen_key = _DETECTED.get(kind, str)
        start = self._counts.get(kind, 0) + 1
        for shape in shapes:
            for number in count(start):
                candidate = shape(number)
                if candidate in self._used or seen_key(candidate) in self._seen:
                    continue
                clashes = _phrases(candidate) & self._keys.keys()
                if not clashes:
                    self._counts[kind] = number
                    self._used.add(candidate)
                    self._kinds[candidate] = kind
                    return candidate
                if any(not re.search(r"\d", clash) for clash in clashes):
                    break
        raise AssertionError("unreachable: the bare number always ends the search")

    def _detected(self, kind: str, original: str) -> str:
        key = _DETECTED[kind](original)
        if key not in self._found:
            self._found[key] = self._replacements[original] = self._pick(kind)
        return self._found[key]

    def _replace_names(self, text: str) -> str:
        if not self._keys:
            return text
        if self._compiled is None:  # one group only: many groups make every attempt slower
            keys = sorted(self._keys, key=len, reverse=True)  # longer names win
            escaped = (re.escape(key).replace("\\ ", r"\s+") for key in keys)
            names = "|".join(name.replace("\\-", r"[\s-]+") for name in escaped)
            regex = re.compile(rf"(?<![^\W_])(?:({_ELISIONS})')?({names})(?![^\W_])")
            standins: dict[str, str] = {}
            for key in keys:  # the matched text says which name it is, up to spaces/hyphens
                standins.setdefault(re.sub(r"[\s-]+", " ", key), self._keys[key])
            self._compiled = (regex, standins)
        regex, standins = self._compiled
        folded, index = _fold_indexed(text)
        edits = []
        for match in regex.finditer(folded):
            start, name_start = index[match.start()], index[match.start(2)]
            prefix = text[start:name_start]
            standin = standins[re.sub(r"[\s-]+", " ", match.group(2))]
            if prefix and self._language == "fr" and _fold(standin)[:1] not in "aeiouy":
                prefix = prefix[:-1] + "e "  # d'Élodie -> de Contact 1
            edits.append((start, index[match.end()], prefix + standin))
        return _splice(text, edits)
