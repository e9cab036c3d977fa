"""Firm names: the legal form, the distinguishing core, and any foreign name in parentheses.

Two feeds write one firm as "CÔNG TY TNHH MTV TM DV HIỆP PHÁT" and "Cty TNHH 1TV Thương mại
Dịch vụ Hiệp Phát"; a matcher must see the same legal form (TNHH_MTV) and the same core
("thuong mai dich vu hiep phat"), and must still tell "HIỆP PHÁT" from "HIỆP PHÁT II". The
legal forms and abbreviations are data (``data/legal_forms.yaml``, ``data/abbreviations.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml
from rapidfuzz.distance import OSA

from reconcile.text.unicode import (
    fold,
    is_folded_syllable,
    is_vietnamese_syllable,
    nfc,
    repair_legacy,
    word_pairs,
)

__all__ = ["LEGAL_FORM_LABELS", "FirmName", "legal_form_label", "parse_name"]

if TYPE_CHECKING:
    LEGAL_FORM_LABELS: Mapping[str, str]

_DATA = resources.files("reconcile.text") / "data"
_PARENS = re.compile(r"\(([^()]*)\)?")
_SEGMENT_BREAK = re.compile(r"\s[-–—]\s|[,;|–—]")
DEPENDENT_FORMS = frozenset({"CN", "VPDD", "DDKD"})
# the words before an unaccented "tai" that make it "tải" or "tài", not "tại" (at)
_NOT_AT = frozenset({"van", "phat", "tai", "tien", "nhan", "than", "chuyen"})


@dataclass(frozen=True)
class FirmName:
    """A firm name taken apart: what kind of firm, and which one."""

    original: str
    folded: str
    legal_forms: tuple[str, ...]
    core: str
    tokens: tuple[str, ...]
    foreign: str | None
    # where a dependent unit is, as its name says it (folded), kept out of ``core``: the
    # "tại Mỹ An" of "Công ty TNHH X tại Mỹ An", the "Cần Thơ" of "Công ty X - CN Cần Thơ"
    branch_place: str | None = None
    # the name is a firm's name followed by "tại <place>", with no word for a branch: one of
    # that firm's branches all the same
    located: bool = False

    @property
    def is_dependent_unit(self) -> bool:
        """A branch, representative office or business location (a ``-NNN`` tax code), also
        when written as its parent's name "tại <place>"."""
        return self.located or any(form in DEPENDENT_FORMS for form in self.legal_forms)


@dataclass(frozen=True)
class _Alias:
    words: tuple[str, ...]
    parts: tuple[str, ...]
    start_only: bool
    after: frozenset[str]  # only right after an alias with one of these parts ("Công ty HD")


@dataclass(frozen=True)
class _Rules:
    forms: dict[str, dict[str, Any]]
    aliases: dict[str, tuple[_Alias, ...]]  # first word -> aliases, longest first
    expand: dict[str, tuple[str, ...]]
    combinable: frozenset[str]
    drop_folded: frozenset[str]
    drop_accented: frozenset[str]  # dropped only as written ("và", not "vá")...
    drop_accented_folded: frozenset[str]  # ...unless the whole name has no diacritics


def _load_yaml(name: str) -> dict[str, Any]:
    with (_DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def _rules() -> _Rules:
    """The legal-form and abbreviation tables, folded and indexed once."""
    spec = _load_yaml("legal_forms.yaml")
    forms = spec["forms"]
    by_first: dict[str, list[_Alias]] = {}
    for entry in spec["aliases"]:
        words = tuple(fold(entry["text"]).split())
        unknown = set(entry["parts"]) - set(forms) - set(spec.get("modifiers", ()))
        if unknown:
            raise ValueError(f"legal_forms.yaml: unknown parts {unknown} in {entry}")
        after = frozenset(entry.get("after", ()))
        if after - set(forms):
            raise ValueError(f"legal_forms.yaml: unknown forms {after - set(forms)} in {entry}")
        start_only = entry.get("where", "anywhere") == "start"
        # the alias as written, and with one of its spaces missing ("trach nhiemhuu han")
        spellings = [words] + [
            (*words[:j], words[j] + words[j + 1], *words[j + 2 :]) for j in range(len(words) - 1)
        ]
        for spelling in spellings:
            alias = _Alias(spelling, tuple(entry["parts"]), start_only, after)
            by_first.setdefault(spelling[0], []).append(alias)
    aliases = {
        first: tuple(sorted(group, key=lambda a: len(a.words), reverse=True))
        for first, group in by_first.items()
    }
    abbr = _load_yaml("abbreviations.yaml")
    expand = {fold(k): tuple(fold(v).split()) for k, v in abbr["expand"].items()}
    combinable = frozenset(fold(k) for k in abbr["combinable"])
    drop = [str(w) for w in abbr["drop"]]
    drop_folded = frozenset(fold(w) for w in drop if fold(w) == nfc(w).lower())
    drop_accented = frozenset(nfc(w).lower() for w in drop if fold(w) != nfc(w).lower())
    drop_accented_folded = frozenset(fold(w) for w in drop_accented)
    return _Rules(
        forms, aliases, expand, combinable, drop_folded, drop_accented, drop_accented_folded
    )


@cache
def _labels() -> Mapping[str, str]:
    return MappingProxyType({code: f["label"] for code, f in _rules().forms.items()})


def __getattr__(name: str) -> Any:
    # LEGAL_FORM_LABELS (canonical code -> Vietnamese label, read-only) is built on first use,
    # so that importing this module reads no file
    if name == "LEGAL_FORM_LABELS":
        return _labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def legal_form_label(code: str) -> str:
    """The Vietnamese label of a canonical legal-form code (the code itself when unknown)."""
    return _labels().get(code, code)


def _split_foreign(text: str) -> tuple[str, str | None]:
    """The name without its parentheses, and the text that was in them ("; "-joined)."""
    inside = [m.group(1).strip() for m in _PARENS.finditer(text)]
    inside = [part for part in inside if part]
    if not inside:
        return text, None
    outside = _PARENS.sub(" ", text)
    if not fold(outside):  # the whole name was in parentheses: that is the name
        return text.replace("(", " ").replace(")", " "), None
    return outside, "; ".join(" ".join(part.split()) for part in inside)


def _words_with_breaks(text: str) -> list[tuple[str, str, bool]]:
    """(accented, folded, starts a segment) for each word; a segment follows " - " or ","."""
    out: list[tuple[str, str, bool]] = []
    for segment in _SEGMENT_BREAK.split(text):
        for j, (accented, folded) in enumerate(word_pairs(segment)):
            out.append((accented, folded, j == 0))
    return out


def _match_forms(
    words: list[tuple[str, str, bool]],
) -> tuple[list[str], list[int], list[tuple[int, tuple[str, ...]]]]:
    """The legal-form parts found, in order, the indexes of the words that are not forms, and
    where each form starts (word index, its parts)."""
    rules = _rules()
    parts: list[str] = []
    rest: list[int] = []
    spans: list[tuple[int, tuple[str, ...]]] = []
    folded = [w[1] for w in words]
    i = 0
    in_prefix = False
    previous: tuple[str, ...] = ()  # the parts of the form that ends right before word i
    while i < len(words):
        if words[i][2]:
            in_prefix = True
        matched = None
        for alias in rules.aliases.get(folded[i], ()):
            n = len(alias.words)
            if (
                _same_words(tuple(folded[i : i + n]), alias.words)
                and (in_prefix or not alias.start_only)
                and (not alias.after or alias.after.intersection(previous))
            ):
                matched = alias
                break
        if matched is None:
            in_prefix = False
            previous = ()
            rest.append(i)
            i += 1
            continue
        parts.extend(matched.parts)
        spans.append((i, matched.parts))
        previous = matched.parts
        i += len(matched.words)
    return parts, rest, spans


@cache
def _form_words() -> frozenset[str]:
    """Every word of every alias of three letters or more, and the one-word aliases."""
    out = set()
    for group in _rules().aliases.values():
        for alias in group:
            out.update(w for w in alias.words if len(w) >= 3 or len(alias.words) == 1)
    return frozenset(w for w in out if w.isalpha() and len(w) >= 2)


def _unglue_forms(words: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """A form glued to the word after it, among the first words of the name: "TNHHSẢN XUẤT",
    "CỔ PHẦNNỘI THẤT", "MTVThương mại", "Cổ phần418" -> "TNHH SẢN", "PHẦN NỘI", "MTV Thương",
    "phần 418". Split only where the word is no Vietnamese syllable and the rest is one, or a
    number."""
    rules, forms = _rules(), _form_words()
    out: list[tuple[str, str, bool]] = []
    for n, (accented, folded, starts) in enumerate(words):
        if (
            n < 8
            and len(folded) >= 4
            and len(accented) == len(folded)
            and folded not in rules.aliases
            and not is_vietnamese_syllable(accented)
        ):
            for k in range(len(folded) - 1, 1, -1):
                head, tail = folded[:k], folded[k:]
                if head in forms and _a_word(accented[k:], tail):
                    out.append((accented[:k], head, starts))
                    out.append((accented[k:], tail, False))
                    break
            else:
                out.append((accented, folded, starts))
            continue
        out.append((accented, folded, starts))
    return out


def _a_word(accented: str, folded: str) -> bool:
    """Whether a piece split off a glued word stands as a word: a syllable (with its diacritics,
    or typed without them) or a number."""
    return (
        folded.isdigit()
        or is_vietnamese_syllable(accented)
        or (accented == folded and is_folded_syllable(folded))
    )


@cache
def _squeezed_aliases() -> tuple[dict[str, _Alias], int]:
    """Each alias with its spaces taken out ("congtytnhh" is two: "congty", "tnhh"), and the
    length of the longest."""
    out: dict[str, _Alias] = {}
    for group in _rules().aliases.values():
        for alias in group:
            out.setdefault("".join(alias.words), alias)
    return out, max(map(len, out))


def _resegment_forms(
    words: list[tuple[str, str, bool]], rest: list[int]
) -> list[tuple[str, str, bool]]:
    """A space moved inside the legal forms that open the name: "Công t yTNHH Sản xuất",
    "Chi nhán hCông ty". The first words, their spaces taken out, are read again as forms
    from the left; where that reads more of them than the words as written, the forms are put
    back as their own words and the rest of a split word becomes a word (when it is one)."""
    end = next((j for j in range(1, len(words)) if words[j][2]), len(words))
    lead = words[: min(end, 8)]
    squeezed = "".join(folded for _, folded, _ in lead)
    aliases, longest = _squeezed_aliases()
    at, found, previous = 0, [], ()
    while at < len(squeezed):
        for size in range(min(longest, len(squeezed) - at), 1, -1):
            alias = aliases.get(squeezed[at : at + size])
            if alias and (not alias.after or alias.after.intersection(previous)):
                break
        else:
            break
        found.append(alias)
        previous = alias.parts
        at += size
    # the letters the forms take as written: the words before the first that is no form
    as_written = sum(len(folded) for _, folded, _ in words[: rest[0] if rest else len(words)])
    if not found or at <= as_written:
        return words
    out = [(w, w, n == 0 and words[0][2]) for alias in found for n, w in enumerate(alias.words)]
    start = 0
    for i, (accented, folded, _) in enumerate(lead):
        if start + len(folded) <= at:
            start += len(folded)
            continue
        cut = at - start
        if cut > 0:  # the forms end inside this word: its rest must be a word of its own
            rest_accented = accented[cut:] if len(accented) == len(folded) else folded[cut:]
            if len(folded) - cut < 2 or not _a_word(rest_accented, folded[cut:]):
                return words
            if is_vietnamese_syllable(accented) or is_folded_syllable(folded):
                return words  # a word as it is: not the tail of a form
            out.append((rest_accented, folded[cut:], False))
            i += 1
        return out + words[i:]
    return out + words[len(lead) :]


def _same_words(written: tuple[str, ...], alias: tuple[str, ...]) -> bool:
    """The alias's words, or for an alias of three words or more the same but for one letter
    (or two letters swapped: "thành vêin") of one word after the first (a word of three letters
    or more)."""
    if written == alias:
        return True
    if len(alias) < 3 or len(written) != len(alias):
        return False
    differ = [(a, b) for a, b in zip(written, alias, strict=True) if a != b]
    if len(differ) != 1:
        return False
    a, b = differ[0]
    return min(len(a), len(b)) >= 3 and OSA.distance(a, b) <= 1


@cache
def _place_names() -> frozenset[str]:
    """Folded names of communes, districts and provinces, old and new: the places a branch is
    "tại" when a name without diacritics leaves "tai" ambiguous."""
    from reconcile.text import admin_units as au

    names = {au.unit_name_key(p.name) for p in (*au.provinces(), *au.old_provinces())}
    for province in au.provinces():
        names.update(au.unit_name_key(c.name) for c in au.communes(province.code))
    for commune in au._all_old_communes():
        names.add(au.unit_name_key(commune.name))
        names.add(au.unit_name_key(commune.district_name))
    return frozenset(names)


_GLUED_AT = re.compile(r"(\w+?)(tại)(?=\s|$)", re.IGNORECASE)
_AT_GLUED = re.compile(r"(?<!\w)(tại)(\w+)", re.IGNORECASE)
_AT_SPACE_MOVED = re.compile(r"(?<!\w)(tạ) (i)(\w+)", re.IGNORECASE)
_AT_SPACE_MOVED_BEFORE = re.compile(r"(?<!\w)(\w+?)(t) (ại)(?=\s)", re.IGNORECASE)


def _unglue_at(text: str) -> str:
    """ "HƯNG VƯỢNGTẠI MỸ THO", "tạiLai Vung", "tạ iSa Đéc": "tại" glued to the word before
    or after it, or its last letter moved across the space. "tại" is a syllable of its own (no
    word begins or ends with it), so the space is put back where the rest is a syllable."""
    if "ại" not in text.lower() and "ạ i" not in text.lower():
        return text  # every pattern below has "ại" or "ạ i" in it

    def before(match: re.Match[str]) -> str:
        head = match.group(1)
        return f"{head} {match.group(2)}" if _a_word(head.lower(), fold(head)) else match.group(0)

    def after(match: re.Match[str]) -> str:
        tail = match.group(2)
        return f"{match.group(1)} {tail}" if _a_word(tail.lower(), fold(tail)) else match.group(0)

    def moved(match: re.Match[str]) -> str:
        at, tail = match.group(1) + match.group(2), match.group(3)
        if is_vietnamese_syllable((match.group(2) + tail).lower()):
            return match.group(0)  # "tạ ích" is two words as written
        return f"{at} {tail}" if _a_word(tail.lower(), fold(tail)) else match.group(0)

    def moved_before(match: re.Match[str]) -> str:
        head = match.group(1)
        if is_vietnamese_syllable((head + match.group(2)).lower()):
            return match.group(0)  # "Phát ại": a word as written, and "ại" alone
        return (
            f"{head} {match.group(2)}{match.group(3)}"
            if _a_word(head.lower(), fold(head))
            else match.group(0)
        )

    text = _AT_SPACE_MOVED_BEFORE.sub(moved_before, text)
    text = _GLUED_AT.sub(before, text)
    text = _AT_GLUED.sub(after, text)
    return _AT_SPACE_MOVED.sub(moved, text)


_CASE_GLUED = re.compile(r"(?<![^\W\d_])([^\W\d_]{2,}?)(?=[^\W\d_a-zà-ỹđ][^\W\d_A-ZÀ-ỸĐ])")


def _unglue_case(text: str) -> str:
    """ "Mot thanh vienThuong mai", "Công ty TNHHFia Việt": a form word glued to the next word,
    seen where the letters change case inside a word ("vienT", "HHFi"). Split only after a word
    of a legal form, so "VinaCapital" stays one word."""
    forms = _form_words()

    def split(match: re.Match[str]) -> str:
        head = match.group(1)
        return f"{head} " if fold(head) in forms and len(head) >= 3 else head

    return _CASE_GLUED.sub(split, text) if any(ch.isupper() for ch in text[1:]) else text


# "tại" with its first letter dropped or hit on a key beside it: syllables in shape, yet no
# words (unlike lại, mại, đại, hại, trại)
_AT_SLIPS = frozenset({"ại", "rại", "yại", "gại", "fại"})


def _mistyped_at(accented: str, folded: str) -> bool:
    """Whether a word is "tại" mistyped (tạj, tạại, tiạ, yại, ại): one edit from it, or a letter
    doubled, and no Vietnamese word itself (TÂN, TÀI and TIA are words, not slips)."""
    if accented.lower() in _AT_SLIPS:
        return True
    # the dot below of "tại" kept: TÂB (for TÂN) is one edit from "tai" too, but not "tại"
    if "ạ" not in accented.lower() or not 3 <= len(folded) <= 4:
        return False
    if is_vietnamese_syllable(accented.lower()):
        return False
    return OSA.distance(folded, "tai") == 1 or re.sub(r"(.)\1", r"\1", folded) == "tai"


def _branch_place(
    words: list[tuple[str, str, bool]],
    keep: list[int],
    spans: list[tuple[int, tuple[str, ...]]],
    accents: bool,
) -> tuple[list[int], str | None, bool]:
    """The words that name the firm, the place a dependent unit's name gives, and whether the
    name is a firm's name "tại <place>".

    "Chi nhánh Gò Công Tây - Công ty TNHH X" and "Công ty TNHH X - CN Cần Thơ": the words in
    the branch's own part, when another part carries the company's form, say where the branch
    is, not which firm it belongs to. "Công ty TNHH X tại Mỹ An": the words after "tại".
    """
    segment, current = [], -1
    for _, _, starts in words:
        current += starts
        segment.append(current)
    starts_with = {segment[i]: parts for i, parts in spans if i == 0 or words[i][2]}
    dependent = {s for s, parts in starts_with.items() if DEPENDENT_FORMS.intersection(parts)}
    company = {s for s, parts in starts_with.items() if not DEPENDENT_FORMS.issuperset(parts)}
    if dependent and company - dependent:
        label = [i for i in keep if segment[i] in dependent]
        if label and len(label) < len(keep):
            place = " ".join(words[i][1] for i in label)
            return [i for i in keep if segment[i] not in dependent], place, False
    if dependent and segment[-1] > 0 and segment[-1] not in starts_with:
        # "Chi nhánh Công ty TNHH X - Cai Lậy", "... - 1": a last part with no form that is a
        # place or a number names the branch (not "Đầu tư - Vận tải - Thương mại X")
        label = [i for i in keep if segment[i] == segment[-1]]
        place = " ".join(words[i][1] for i in label)
        if (
            label
            and len(label) < len(keep)
            and not any(segment[i] == segment[-1] for i, _ in spans)
            and (place.isdigit() or place in _place_names())
        ):
            return [i for i in keep if segment[i] != segment[-1]], place, False
    for k in range(len(keep) - 2, 0, -1):
        accented, folded, _ = words[keep[k]]
        after = [words[i][1] for i in keep[k + 1 :]]
        place = " ".join(after)
        if folded != "tai":
            if (
                _mistyped_at(accented, folded)
                and place in _place_names()
                and words[keep[k - 1]][1] not in _NOT_AT  # VẬN TẠJ NAM DƯƠNG: "tải" mistyped
            ):
                return keep[:k], place, True  # tạj, tạại, tiạ Vĩnh Long: "tại" mistyped
            continue
        if accents and accented == "tại":
            return keep[:k], place, True
        if accents and accented != "tai":
            continue  # tài, tái, tải: words of the name
        # "tai" without diacritics (the whole name so, or this word alone slipped): "tại" only
        # before a place, and not after the words that make it "tải" or "tài"
        if words[keep[k - 1]][1] in _NOT_AT or place not in _place_names():
            continue
        return keep[:k], place, True
    return keep, None, False


def _combine(parts: list[str]) -> tuple[str, ...]:
    """Canonical codes from the parts found: TNHH + MTV -> TNHH_MTV, generic "Công ty" last."""
    forms = _rules().forms
    codes = list(dict.fromkeys(parts))
    for code, form in forms.items():
        triggers = form.get("from_parts") or []
        if not any(t in codes for t in triggers):
            continue
        absorbed = set(form.get("absorbs") or [])
        position = min(i for i, c in enumerate(codes) if c in absorbed or c in triggers)
        codes = [c for c in codes if c not in absorbed]
        codes.insert(min(position, len(codes)), code)
    specific = any(forms.get(c, {}).get("company") for c in codes)
    if specific:
        codes = [c for c in codes if not forms.get(c, {}).get("generic")]
    return tuple(codes)


def _split_glued(token: str, combinable: frozenset[str]) -> list[str] | None:
    """ "tmdvxd" -> ["tm", "dv", "xd"] when the token is made only of combinable abbreviations."""
    if not token.isalpha():
        return None
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 3), end):
            head = best[start]
            if head is not None and token[start:end] in combinable:
                best[end] = [*head, token[start:end]]
                break
    result = best[len(token)]
    return result if result and len(result) >= 2 else None


def _core_tokens(words: list[tuple[str, str, bool]], keep: list[int], accents: bool) -> list[str]:
    rules = _rules()
    out: list[str] = []
    for i in keep:
        accented, folded, _ = words[i]
        if accented in rules.drop_accented or (
            not accents and folded in rules.drop_accented_folded
        ):
            continue
        if folded in rules.drop_folded:
            continue
        pieces = [folded]
        if folded not in rules.expand:
            pieces = _split_glued(folded, rules.combinable) or pieces
        for piece in pieces:
            out.extend(rules.expand.get(piece, (piece,)))
    return out


def parse_name(name: str) -> FirmName:
    """Take a firm name apart: legal forms, folded core with abbreviations expanded, foreign part.

    Legacy-encoded names are repaired first; the forms may be spelled out or abbreviated,
    repeated, or mixed ("CÔNG TY TNHH CÔNG TY TNHH X", "Cty TNHH 1TV X"). Numerals and every
    other word stay in ``core``: they are what tells two firms apart.
    """
    text = _unglue_case(_unglue_at(nfc(repair_legacy(name or ""))))
    main, foreign = _split_foreign(text)
    words = _words_with_breaks(main)
    accents = not all(accented == folded for accented, folded, _ in words)
    words = _unglue_forms(words)
    parts, keep, spans = _match_forms(words)
    resegmented = _resegment_forms(words, keep)
    if resegmented is not words:  # rare: read the forms again only where a space moved
        words = resegmented
        parts, keep, spans = _match_forms(words)
    keep, place, located = _branch_place(words, keep, spans, accents)
    tokens = tuple(_core_tokens(words, keep, accents))
    return FirmName(
        original=name,
        folded=fold(text),
        legal_forms=_combine(parts),
        core=" ".join(tokens),
        tokens=tokens,
        foreign=foreign,
        branch_place=place,
        located=located,
    )
