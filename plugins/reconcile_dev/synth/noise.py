"""What the agency's own system did to a firm's name and tax code, and Windows-1258 text.

Each noise kind is a small function; ``noisy_name`` applies the kinds drawn for a unit in a
fixed order and returns the kinds that actually changed something, so the ground truth names
only the noise that is really there.
"""

from __future__ import annotations

import random
import unicodedata
from functools import cache

from reconcile_dev.synth.names import LEGAL_FORM_VARIANTS, LEGAL_FORMS, ascii_fold

NAME_KINDS = ("legal_form", "reorder", "typo", "english_name", "upper", "no_diacritics", "nfd")
CODE_KINDS = ("tax_code_blank", "tax_code_typo", "tax_code_no_zero", "parent_code")
ADDRESS_KINDS = ("old_address",)
ALL_KINDS = NAME_KINDS + CODE_KINDS + ADDRESS_KINDS


def _legal_form(name: str, prefix: str, rng: random.Random) -> str:
    for known in sorted(LEGAL_FORM_VARIANTS, key=len, reverse=True):
        if name.startswith(known):
            choices = [v for v in LEGAL_FORM_VARIANTS[known] if v != known]
            variant = rng.choice(choices)
            rest = name[len(known) :]
            if known == "Chi nhánh":  # a branch: vary the parent's form too
                inner = rest.lstrip()
                for parent_form in sorted(LEGAL_FORM_VARIANTS, key=len, reverse=True):
                    if parent_form != "Chi nhánh" and inner.startswith(parent_form):
                        rest = (
                            " "
                            + rng.choice(LEGAL_FORM_VARIANTS[parent_form])
                            + inner[len(parent_form) :]
                        )
                        break
            return variant + rest
    # A registered name in capitals (a real list): the same variants, written in capitals.
    # Only reached when no form matched as written, so generated names draw exactly as before.
    folded = name.casefold()
    for known in sorted(LEGAL_FORM_VARIANTS, key=len, reverse=True):
        if folded.startswith(known.casefold()) and name[: len(known)].isupper():
            choices = [v for v in LEGAL_FORM_VARIANTS[known] if v.casefold() != known.casefold()]
            if choices:
                return rng.choice(choices).upper() + name[len(known) :]
    return name


def _reorder(name: str, prefix: str, trades: tuple[str, ...], rng: random.Random) -> str:
    body = name[len(prefix) :].strip() if name.startswith(prefix) else name
    present = [t for t in trades if t and t.lower() in body.lower()]
    if len(present) >= 2:
        if rng.random() < 0.5:  # drop one trade word
            gone = rng.choice(present)
            out = (
                body.replace(gone + " - ", "").replace(" - " + gone, "").replace(gone + " ", "", 1)
            )
        else:  # swap the first two
            a, b = present[0], present[1]
            out = body.replace(a, "\0").replace(b, a).replace("\0", b)
    elif len(present) == 1:
        out = body.replace(present[0] + " ", "", 1)
    else:
        words = body.split()
        if len(words) >= 3:  # a person's name: drop the middle name
            out = " ".join(words[:1] + words[2:])
        else:
            return name
    out = " ".join(out.split())
    return f"{prefix} {out}" if name.startswith(prefix) else out


def _typo(name: str, rng: random.Random) -> str:
    words = name.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 3 and w.isalpha()]
    if not candidates:
        return name
    for _ in range(10):
        i = rng.choice(candidates[len(candidates) // 2 :] or candidates)
        word = words[i]
        j = rng.randrange(1, len(word) - 1)  # keep the first letter (and its capital) in place
        op = rng.random()
        if op < 0.35:  # two letters swapped
            new = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif op < 0.6:  # a letter dropped
            new = word[:j] + word[j + 1 :]
        elif op < 0.8:  # a letter doubled
            new = word[:j] + word[j] + word[j:]
        else:  # one letter's diacritic lost
            new = word[:j] + ascii_fold(word[j]) + word[j + 1 :]
        if new != word:
            words[i] = new
            return " ".join(words)
    return name


def noisy_name(
    name: str,
    english: str,
    prefix: str,
    trades: tuple[str, ...],
    kinds: tuple[str, ...],
    rng: random.Random,
) -> tuple[str, tuple[str, ...]]:
    applied: list[str] = []
    out = name
    for kind in NAME_KINDS:
        if kind not in kinds:
            continue
        if kind == "legal_form":
            new = _legal_form(out, prefix, rng)
        elif kind == "reorder":
            new = _reorder(out, prefix, trades, rng)
        elif kind == "typo":
            new = _typo(out, rng)
        elif kind == "english_name":
            new = f"{out} ({english})" if english else out
        elif kind == "upper":
            new = out.upper()
        elif kind == "no_diacritics":
            new = ascii_fold(out)
        else:  # nfd
            new = unicodedata.normalize("NFD", out)
        if new != out:
            applied.append(kind)
            out = new
    return out, tuple(applied)


def mistype_digit(code: str, rng: random.Random) -> str:
    """Change one digit of the 10-digit root: the check digit then never matches."""
    position = rng.randrange(10)
    digit = code[position]
    new = rng.choice([d for d in "0123456789" if d != digit])
    return code[:position] + new + code[position + 1 :]


# --- Windows-1258 -----------------------------------------------------------------------------
# cp1258 has the base letters (â ê ô ă ơ ư đ and some toned Latin-1 letters) and five combining
# tone marks; most precomposed Vietnamese letters are not in it. Decompose, recompose what the
# code page has, and keep the tone marks combining.

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


@cache
def _cp1258_form(char: str) -> str:
    try:
        char.encode("cp1258")
        return char
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(c for c in decomposed if c not in _TONES)
    tones = "".join(c for c in decomposed if c in _TONES)
    base = unicodedata.normalize("NFC", base)
    candidate = base + tones
    try:
        candidate.encode("cp1258")
    except UnicodeEncodeError:
        # A base letter with its tone precomposed may exist (e.g. "à"); else give up on the mark.
        composed = unicodedata.normalize("NFC", candidate)
        try:
            composed.encode("cp1258")
            return composed
        except UnicodeEncodeError:
            folded = ascii_fold(char)
            try:  # a letter the code page cannot write at all (Þ of TCVN3 text): "?"
                folded.encode("cp1258")
                return folded or "?"
            except UnicodeEncodeError:
                return "?"
    return candidate


@cache
def _cp1258_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for point in (*range(0x80, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(point)
        if unicodedata.category(char).startswith("L"):
            form = _cp1258_form(char)
            if form != char:
                table[point] = form
    return table


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text in Windows-1258; decoding and NFC give the NFC text back."""
    text = unicodedata.normalize("NFC", text).translate(_cp1258_table())
    try:
        return text.encode("cp1258")
    except UnicodeEncodeError:
        return "".join(_cp1258_form(c) for c in text).encode("cp1258")


# --- the hard profile ---------------------------------------------------------------------
# Written from how names go wrong on a provincial roll: clerks keying names in by hand (often
# without a Vietnamese input method), forms abbreviated the way each office likes, old desktop
# software's VNI text, and spreadsheets opened and saved in the wrong code page.

# Applied before the default kinds (they rewrite the name's words), then after them (they
# change how the finished text is written).
HARD_FIRST = ("renamed", "branch_tai_place", "legal_form_spelled_out", "legal_form_variant",
              "name_word_dropped", "name_typo", "space_moved")  # fmt: skip
HARD_LAST = ("spaces", "legacy_vni", "legacy_tcvn3", "utf8_mojibake")
ENCODING_KINDS = ("legacy_vni", "legacy_tcvn3", "utf8_mojibake")  # at most one a name
HARD_NAME_KINDS = HARD_FIRST + HARD_LAST
HARD_ADDRESS_KINDS = ("other_street", "old_commune", "address_ward_district")

# Legal forms as the roll's clerks write them and no table lists: dotted, typed wrong, in
# another word order, or with an abbreviation of their own (HD for hợp danh).
HARD_FORM_VARIANTS: dict[str, tuple[str, ...]] = {
    k: tuple(unicodedata.normalize("NFC", x) for x in v)
    for k, v in {
        "tnhh_mtv": ("C.TY TNHH MTV", "Cty T.N.H.H MTV", "Công ty TNHH M.T.V", "Công ty TNHHH MTV",
                     "Công ty TNNH MTV", "Cty TNHH MVT", "Công ty MTV TNHH", "Công ty TNHH 1 TV",
                     "Công ty TNHH Một TV", "Cong ty TNHH MTV"),
        "tnhh": ("C.TY TNHH", "Cty T.N.H.H", "Công ty TNNH", "Công ty TNHHH", "Công ty TNHH 2TV",
                 "Công ty TNHH Hai thành viên", "Cty TNHH 2 TV", "Cong ty TNHH", "Công ty T.NHH"),
        "cp": ("C.TY CP", "Công ty C.P", "Cty C.Phần", "Công ty Cổ phẩn", "Công ty Cổ phàn",
               "CTY CP", "Công ty CPhần", "Cổ phần Công ty", "Cong ty CP", "CT CP"),
        "dntn": ("DN TN", "Doanh nghiệp TN", "D/N tư nhân", "Doanh ngiệp tư nhân", "DNTN.",
                 "Doanh nghiệp Tư nhân", "DN.TN"),
        "htx": ("H.T.X", "H.T.X.", "HTX.", "Hợp tác xả", "Hợp tắc xã", "H.Tác xã", "HT xã"),
        "hop_danh": ("Công ty HD", "Cty HD", "Công ty H.D", "Công ty hợp doanh", "Cty H.Danh"),
        "branch": ("CN.", "C.N", "C.Nhánh", "Chi nhanh", "CNhánh"),
    }.items()
}  # fmt: skip
SPELLED_OUT: dict[str, str] = {
    k: unicodedata.normalize("NFC", v)
    for k, v in {
        "tnhh_mtv": "Công ty trách nhiệm hữu hạn một thành viên",
        "tnhh": "Công ty trách nhiệm hữu hạn",
        "cp": "Công ty cổ phần",
        "dntn": "Doanh nghiệp tư nhân",
        "htx": "Hợp tác xã",
        "hop_danh": "Công ty hợp danh",
        "branch": "Chi nhánh",
    }.items()
}

# Every way the default profile writes a form at the start of a name -> the form's key.
_FORM_OF: dict[str, str] = {
    **{v: f.key for f in LEGAL_FORMS for p in f.prefixes for v in LEGAL_FORM_VARIANTS.get(p, ())},
    **{p: f.key for f in LEGAL_FORMS for p in f.prefixes},
}

# Neighbouring keys on a QWERTY keyboard (the lower-case letters only).
_NEIGHBOURS = {
    "a": "qsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm", "o": "iklp",
    "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji", "v": "cfgb",
    "x": "zsdc", "y": "tghu",
}  # fmt: skip
# Telex, typed with the input method switched off: the marks stay as letters.
_TELEX_BASE = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd"}
_TELEX_TONE = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_TONES_ORDER = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _nfc_text(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _same_case(template: str, text: str) -> str:
    """``text`` in capitals when ``template`` is written in capitals."""
    letters = [c for c in template if c.isalpha()]
    return text.upper() if letters and all(c.isupper() for c in letters) else text


def _split_prefix(name: str, prefix: str) -> tuple[str, str]:
    """The legal-form part and the rest, the prefix matched whatever its case."""
    if prefix and name.casefold().startswith(prefix.casefold()):
        return name[: len(prefix)], name[len(prefix) :].strip()
    return "", name


def renamed_name(name: str, prefix: str, new_brand: str) -> str:
    """The name the firm had before it renamed itself: same form, another distinctive name."""
    head, _ = _split_prefix(name, prefix)
    return _same_case(name, f"{head} {new_brand}".strip())


def branch_tai_place(parent_name: str, place: str) -> str:
    """A branch written as its parent plus where it is, without the word 'Chi nhánh'."""
    return _same_case(parent_name, f"{parent_name} tại {place}")


def spelled_out(name: str, prefix: str, form: str, rng: random.Random) -> str:
    head, rest = _split_prefix(name, prefix)
    if not head or form not in SPELLED_OUT:
        return name
    full = SPELLED_OUT[form]
    if rng.random() < 0.7:  # typed without accents, the usual way it happens
        full = ascii_fold(full)
    if form == "branch":  # a branch: spell the parent's form out too, when it has one
        for known in sorted(_FORM_OF, key=len, reverse=True):
            if rest.casefold().startswith(known.casefold()):
                inner = SPELLED_OUT[_FORM_OF[known]]
                inner = ascii_fold(inner) if full.isascii() else inner
                rest = f"{_same_case(rest, inner)} {rest[len(known) :].strip()}"
                break
    return _same_case(head, full) + " " + rest if rest else _same_case(head, full)


def form_variant(name: str, prefix: str, form: str, rng: random.Random) -> str:
    head, rest = _split_prefix(name, prefix)
    options = HARD_FORM_VARIANTS.get(form, ())
    if not head or not options:
        return name
    variant = _same_case(head, rng.choice(options))
    return f"{variant} {rest}" if rest else variant


def _body_words(name: str, prefix: str) -> tuple[str, list[str]]:
    head, rest = _split_prefix(name, prefix)
    return head, rest.split()


def _join(head: str, words: list[str]) -> str:
    return " ".join(([head] if head else []) + words)


def drop_word(name: str, prefix: str, rng: random.Random) -> str:
    """One word of the distinctive name left out (names of three words or more)."""
    head, words = _body_words(name, prefix)
    candidates = [i for i, w in enumerate(words) if w.isalpha()]
    if len(words) < 3 or not candidates:
        return name
    del words[rng.choice(candidates)]
    return _join(head, words)


def _telex(word: str) -> str:
    out, tone = [], ""
    for char in unicodedata.normalize("NFD", word):
        if char in _TELEX_TONE:
            tone = _TELEX_TONE[char]
            continue
        out.append(char)
    plain = unicodedata.normalize("NFC", "".join(out))
    typed = "".join(_TELEX_BASE.get(c.lower(), c.lower()) for c in plain) + tone
    return _same_case(word, typed) if len(word) > 1 else typed


def _retone(word: str, rng: random.Random) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [i for i, c in enumerate(decomposed) if c in _TONES_ORDER]
    if tones:
        i = tones[0]
        other = rng.choice([t for t in _TONES_ORDER if t != decomposed[i]])
        return _nfc_text(decomposed[:i] + other + decomposed[i + 1 :])
    vowels = [i for i, c in enumerate(decomposed) if c.lower() in "aeiouy"]
    if not vowels:
        return word
    i = vowels[-1]
    return _nfc_text(decomposed[: i + 1] + rng.choice(_TONES_ORDER) + decomposed[i + 1 :])


def key_typo(name: str, prefix: str, rng: random.Random) -> str:
    """One keying error in any word of the distinctive name, short words included."""
    head, words = _body_words(name, prefix)
    candidates = [i for i, w in enumerate(words) if len(w) >= 2 and w.isalpha()]
    if not candidates:
        return name
    for _ in range(10):  # Telex on a word without marks changes nothing: try again
        i = rng.choice(candidates)
        word = words[i]
        op = rng.random()
        if op < 0.35:  # a neighbouring key
            positions = [j for j, c in enumerate(word) if ascii_fold(c).lower() in _NEIGHBOURS]
            if not positions:
                continue
            j = rng.choice(positions)
            key = rng.choice(_NEIGHBOURS[ascii_fold(word[j]).lower()])
            new = word[:j] + (key.upper() if word[j].isupper() else key) + word[j + 1 :]
        elif op < 0.6:  # the wrong tone
            new = _retone(word, rng)
        elif op < 0.8:  # Telex typed with the input method off
            new = _telex(word)
        else:  # a letter left out, the first included
            j = rng.randrange(len(word))
            new = word[:j] + word[j + 1 :]
        if new != word:
            words[i] = new
            return _join(head, words)
    return name


def move_space(name: str, prefix: str, rng: random.Random) -> str:
    """A letter moved across the space between two words: VẤN THÀNH -> VẤ NTHÀNH."""
    head, words = _body_words(name, prefix)
    pairs = [i for i in range(len(words) - 1) if len(words[i]) >= 2 and len(words[i + 1]) >= 2]
    if not pairs:
        return name
    i = rng.choice(pairs)
    a, b = words[i], words[i + 1]
    if rng.random() < 0.5:
        words[i], words[i + 1] = a[:-1], a[-1] + b
    else:
        words[i], words[i + 1] = a + b[0], b[1:]
    return _join(head, words)


def bad_spaces(name: str, rng: random.Random) -> str:
    """Spaces as a hurried clerk leaves them: doubled, missing, before a dash, at the ends."""
    gaps = [i for i, c in enumerate(name) if c == " "]
    op = rng.random()
    if gaps and op < 0.4:
        i = rng.choice(gaps)
        return name[:i] + "  " + name[i + 1 :]
    if len(gaps) >= 2 and op < 0.7:  # two words run together (not the first gap only)
        i = rng.choice(gaps[1:])
        return name[:i] + name[i + 1 :]
    if op < 0.85:
        return f" {name} "
    return name.replace(" - ", "-") if " - " in name else name + " "


# VNI-Windows: each Vietnamese letter is an ASCII base letter plus one or two bytes of the font,
# which a Unicode reader shows as Latin-1 letters: "Công ty" -> "Coâng ty".
_VNI_MARK = {  # (modifier, tone) -> lower-case byte as a Latin-1 letter
    ("", "\u0301"): "ù", ("", "\u0300"): "ø", ("", "\u0309"): "û", ("", "\u0303"): "õ",
    ("", "\u0323"): "ï",
    ("\u0302", ""): "â", ("\u0302", "\u0301"): "á", ("\u0302", "\u0300"): "à",
    ("\u0302", "\u0309"): "å", ("\u0302", "\u0303"): "ã", ("\u0302", "\u0323"): "ä",
    ("\u0306", ""): "ê", ("\u0306", "\u0301"): "é", ("\u0306", "\u0300"): "è",
    ("\u0306", "\u0309"): "ú", ("\u0306", "\u0303"): "ü", ("\u0306", "\u0323"): "ë",
}  # fmt: skip
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def _vni_char(char: str) -> str:
    if char in "đĐ":
        return "ñ" if char == "đ" else "Ñ"
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or not base.isascii():
        return char
    tone = next((m for m in marks if m in _TONES_ORDER), "")
    modifier = next((m for m in marks if m in "\u0302\u0306\u031b"), "")
    upper = base.isupper()
    out = base
    if modifier == "\u031b":  # the horn: ơ is the byte "ô", ư the byte "ö", then the tone's
        out = {"o": "ô", "O": "Ô", "u": "ö", "U": "Ö"}.get(base, base)
        modifier = ""
    if base in "iI" and not modifier:
        mark = _VNI_I.get(tone, "")
        return mark.upper() if upper else mark or char
    if (modifier, tone) == ("", ""):
        return out
    combined = _VNI_MARK.get((modifier, tone))
    if combined is None:
        return char
    return out + (combined.upper() if upper else combined)


def to_vni(text: str) -> str:
    """The text as VNI-font bytes shown by a Unicode reader (the classic 'Coâng ty')."""
    return "".join(_vni_char(c) for c in _nfc_text(text))


# TCVN3 (ABC), the 1993 national standard: one byte per letter, shown by a Unicode reader as
# Latin-1 ("Công ty" -> "C«ng ty", "Nguyễn" -> "NguyÔn"). Toned capitals do not exist in it (the
# capital fonts reuse the small letters' bytes), so a name in capitals comes out mixed.
_TCVN3_SMALL = dict(
    zip(
        "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ",
        bytes.fromhex(
            "b5b6b7b8b9 a8bbbcbdbec6 a9c7c8c9cacb ae cccecfd0d1 aad2d3d4d5d6 d7d8dcddde"
            "dfe1e2e3e4 abe5e6e7e8e9 aceaebecedee eff1f2f3f4 adf5f6f7f8f9 fafbfcfdfe"
        ).decode("latin-1"),
        strict=True,
    )
)
_TCVN3_CAPITAL = dict(zip("ĂÂĐÊÔƠƯ", "¡¢§£¤¥¦", strict=True))


def to_tcvn3(text: str) -> str:
    """The text as TCVN3 bytes shown by a Unicode reader."""
    out = []
    for char in _nfc_text(text):
        if char in _TCVN3_CAPITAL:
            out.append(_TCVN3_CAPITAL[char])
        else:
            out.append(_TCVN3_SMALL.get(char.lower(), char) if not char.isascii() else char)
    return "".join(out)


def to_utf8_mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 (what Excel shows, and saves, for a UTF-8 CSV without
    a BOM): 'CÔNG' -> 'CÃ”NG'; bytes the code page lacks come out as '?'."""
    return _nfc_text(text).encode("utf-8").decode("cp1252", errors="replace").replace("\ufffd", "?")


def hard_name(
    name: str,
    stage: str,
    kinds: tuple[str, ...],
    *,
    prefix: str,
    form: str,
    rng: random.Random,
    renamed_to: str = "",
    parent_name: str = "",
    place: str = "",
) -> tuple[str, tuple[str, ...]]:
    """Apply the hard kinds of one ``stage`` ("first" or "last") drawn for a unit; the kinds
    that changed something, so that the truth names only the noise that is there."""
    applied: list[str] = []
    out = name
    for kind in HARD_FIRST if stage == "first" else HARD_LAST:
        if kind not in kinds:
            continue
        if kind == "renamed":
            new = renamed_name(out, prefix, renamed_to) if renamed_to else out
        elif kind == "branch_tai_place":
            new = branch_tai_place(parent_name, place) if parent_name and place else out
            if new != out:  # the name now starts with the parent's form, not "Chi nhánh"
                prefix, form = _form_at_start(new)
        elif kind in ("legal_form_spelled_out", "legal_form_variant"):
            if kind == "legal_form_variant" and "legal_form_spelled_out" in applied:
                continue
            rest = _split_prefix(out, prefix)[1]
            if kind == "legal_form_spelled_out":
                new = spelled_out(out, prefix, form, rng)
            else:
                new = form_variant(out, prefix, form, rng)
            if new != out:  # the form as now written, so that later kinds leave it alone
                prefix = new[: len(new) - len(rest)].rstrip() if rest else new
        elif kind == "name_word_dropped":
            new = drop_word(out, prefix, rng)
        elif kind == "name_typo":
            new = key_typo(out, prefix, rng)
        elif kind == "space_moved":
            new = move_space(out, prefix, rng)
        elif kind == "spaces":
            new = bad_spaces(out, rng)
        elif kind in ENCODING_KINDS:
            if set(applied) & set(ENCODING_KINDS):  # text is mis-encoded once, not twice
                continue
            encode = {"legacy_vni": to_vni, "legacy_tcvn3": to_tcvn3}.get(kind, to_utf8_mojibake)
            new = encode(out)
        if new != out:
            applied.append(kind)
            out = new
    return out, tuple(applied)


def _form_at_start(name: str) -> tuple[str, str]:
    """The legal form written at the start of ``name`` (as written) and its key, if any."""
    folded = name.casefold()
    for known in sorted(_FORM_OF, key=len, reverse=True):
        if folded.startswith(known.casefold()):
            return name[: len(known)], _FORM_OF[known]
    return "", ""


def ward_district(
    commune_type: str, commune: str, district_type: str, district: str, rng: random.Random
) -> str:
    """An address that is only the ward and the district, abbreviated the way clerks do
    (P.5, Q.3; X. Mỹ Hội, H. Cái Bè): no street, no province, and a district that no
    longer exists after 2025."""
    short = {
        "Phường": "P.",
        "Xã": "X.",
        "Thị trấn": "TT.",
        "Quận": "Q.",
        "Huyện": "H.",
        "Thị xã": "TX.",
        "Thành phố": "TP.",
    }
    if rng.random() < 0.7:
        first = (
            f"{short.get(commune_type, commune_type)}{'' if commune.isdigit() else ' '}{commune}"
        )
        second = f"{short.get(district_type, district_type)} {district}"
    else:
        first, second = f"{commune_type} {commune}", f"{district_type} {district}"
    return f"{first}, {second}" if rng.random() < 0.8 else f"{first} - {second}"
