"""Consistent stand-ins for names, e-mail addresses and phone numbers (``--anonymize``).

A real crisis session becomes a training scenario only if nobody in it can be recognised,
yet it must still read like the real thing: the same customer is "Contact 1" from the first
message to the last, the same number is the same (fictional) number. So every original is
mapped once per :class:`Anonymizer`, and that mapping is reused everywhere.

Usage is *register, then replace*: call :meth:`Anonymizer.person` and
:meth:`Anonymizer.organisation` for every name the session knows from structured fields,
then pass each free text through :meth:`Anonymizer.text`. Names are never guessed from
prose (that is unreliable); only e-mail addresses and phone numbers are found on their own,
because their shape gives them away. Stand-ins are final once registration is over: a
newly registered name that occurs inside an earlier stand-in (someone called "Contact")
makes that stand-in be replaced, so that no output ever contains an original name.

Everything is linear in the size of the text: names are escaped before they become regular
expressions, and no pattern nests quantifiers that could backtrack catastrophically.
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
    """The folded text and, for each folded position (plus the end), its index in ``text``.

    Folding changes lengths ("ß" -> "ss", a lone combining accent -> ""), so matches found in
    the folded text are mapped back through this index.
    """
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


def _key_regex(key: str) -> str:
    parts = re.split(r"([ -])", key)
    return "".join({" ": r"\s+", "-": r"[\s-]+"}.get(part, re.escape(part)) for part in parts)


@functools.lru_cache(maxsize=65536)
def _phrases(standin: str) -> frozenset[str]:
    """Every run of whole words in a stand-in, as a key: what a name in it would look like."""
    folded = _fold(standin)
    cuts = [0, *(i for i in range(1, len(folded)) if not folded[i - 1 : i + 1].isalnum())]
    cuts.append(len(folded))
    return frozenset(_key(folded[i:j]) for i in cuts for j in cuts if i < j)


def _phone_key(number: str) -> str:
    digits = re.sub(r"[^0-9]", "", number)
    if not number.startswith("+"):
        return digits
    for code, (length, trunk) in _TRUNKS.items():
        if digits.startswith(code) and len(digits) == len(code) + length:
            return trunk + digits[len(code) :]
    return "+" + digits


def _is_phone(match: re.Match[str]) -> bool:
    """Whether a candidate is a phone number rather than a date, amount, address or count."""
    body, text, start, end = match.group("body"), match.string, match.start(), match.end()
    groups = re.split(r"[^0-9]+", body)
    digits = sum(char.isdigit() for char in match.group())
    if not 8 <= digits <= 15 or any(len(group) < 2 for group in groups[1:]):
        return False
    if not (match.group("cc") or match.group("area")) and (
        _NOT_PHONE.fullmatch(body) or (len(groups) == 1 and not re.fullmatch(r"0\d{9}", body))
    ):
        return False
    return not (
        re.search(r"[€$£¥]\s?\Z", text[max(0, start - 2) : start])
        or re.match(r"\s?[€$£¥%]", text[end : end + 2])
    )


def _phone_standin(number: int) -> str:
    """Ofcom's numbers reserved for drama: they never ring anyone."""
    if number <= 1000:
        return f"+44 7700 900{number - 1:03d}"
    return f"+44 20 7946 {number - 1001:04d}" if number <= 2000 else f"#{number}"


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
        a name already known, also as a part of another, keeps its stand-in.
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
        emails = list(_EMAIL.finditer(text))
        self._seen.update(match.group().casefold() for match in emails)
        text = _splice(text, [(m.start(), m.end(), self._email(m.group())) for m in emails])
        phones = [match for match in _PHONE.finditer(text) if _is_phone(match)]
        self._seen.update(_phone_key(match.group()) for match in phones)
        text = _splice(text, [(m.start(), m.end(), self._phone(m.group())) for m in phones])
        return self._replace_names(text)

    @property
    def replacements(self) -> dict[str, str]:
        """Original -> stand-in, one entry per distinct original (its first spelling)."""
        return dict(self._replacements)

    def _register(self, name: str, kind: str, *, split: bool) -> str:
        key = _key(name)
        if not key.strip():
            raise ValueError("cannot anonymise an empty name")
        if key not in self._keys:
            parts = [p for p in key.split(" ") if split and sum(c.isalpha() for c in p) >= 3]
            fresh = [k for k in dict.fromkeys([key, *parts]) if k not in self._keys]
            self._keys.update(dict.fromkeys(fresh, ""))  # so the stand-in avoids them too
            self._compiled = None
            standin = self._pick(kind)
            self._keys.update(dict.fromkeys(fresh, standin))
            self._replacements[name] = standin
            for old in [s for s in self._kinds if not _phrases(s).isdisjoint(fresh)]:
                self._reissue(old)
        return self._keys[key]

    def _reissue(self, old: str) -> None:
        """Replace a stand-in that a newly registered name occurs in, everywhere."""
        new = self._pick(self._kinds.pop(old))
        for mapping in (self._keys, self._found, self._replacements):
            mapping.update({original: new for original, s in mapping.items() if s == old})

    def _pick(self, kind: str) -> str:
        """The next free stand-in: never handed out, not an original, containing no name.

        A name or stand-in rules out at most one number of a shape, unless it contains the
        shape's word ("Contact"); so after enough tries the next shape is used. The last
        shape ("#1", or the phone shape) never runs out.
        """
        if kind == "phone":
            shapes: list[Callable[[int], str]] = [_phone_standin]
        else:
            words = _WORDS[self._language, kind]
            form = "{0}{2}@{1}" if kind == "email" else "{0} {2}"  # contact1@example.com
            domains = _EMAIL_DOMAINS if kind == "email" else ("",)
            shapes = [functools.partial(form.format, w, d) for w in words for d in domains]
            shapes.append("#{}".format)
        seen_key = {"phone": _phone_key, "email": str.casefold}.get(kind, str)
        start = self._counts.get(kind, 0) + 1
        tries = len(self._keys) + len(self._used) + len(self._seen) + 2
        for position, shape in enumerate(shapes):
            last = position == len(shapes) - 1
            for number in count(start) if last else range(start, start + tries):
                candidate = shape(number)
                if candidate in self._used or seen_key(candidate) in self._seen:
                    continue
                if _phrases(candidate).isdisjoint(self._keys):
                    self._counts[kind] = number
                    self._used.add(candidate)
                    self._kinds[candidate] = kind
                    return candidate
        raise AssertionError("unreachable: the last shape never runs out")

    def _email(self, address: str) -> str:
        if address.casefold() not in self._found:
            self._found[address.casefold()] = self._replacements[address] = self._pick("email")
        return self._found[address.casefold()]

    def _phone(self, number: str) -> str:
        if _phone_key(number) not in self._found:
            self._found[_phone_key(number)] = self._replacements[number] = self._pick("phone")
        return self._found[_phone_key(number)]

    def _replace_names(self, text: str) -> str:
        if not self._keys:
            return text
        if self._compiled is None:  # one group only: many groups make every attempt slower
            keys = sorted(self._keys, key=len, reverse=True)  # longer names win
            names = "|".join(map(_key_regex, keys))
            regex = re.compile(rf"(?<![^\W_])(?:({_ELISIONS})')?({names})(?![^\W_])")
            standins = {}
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
