"""The comparisons of a pair and their levels, declared in one place, as Splink's comparison
library declares them.

Each comparison lists its levels in order, most similar first (for the name, also the order in
which its levels are tested: the first that holds is the pair's level), each with the words
the explanation and ``docs/matching.md`` use for it. The code that computes a level
(``compare.py``, ``names.py``) returns one of the ``Literal`` types below; the model learns a
weight per level (``model.py``), and the tax code's priors in ``data/matching.yaml`` are keyed
by its levels. ``tests/unit/match/test_levels.py`` holds the three to these declarations and
the docs' table to ``markdown_table``.

A level of ``None`` is "nothing to compare" (a blank field, or an address not parsed because
the names are plainly different and no tax code speaks for the pair): it weighs 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

NameLevel = Literal[
    "exact",
    "trade_word_dropped",
    "trade_word_cut",
    "trade_words_differ",
    "same_words",
    "spacing",
    "typo",
    "near_word",
    "numeral_differs",
    "one_word_differs",
    "middle_word_dropped",
    "similar",
    "different",
]
LegalFormLevel = Literal["same", "compatible", "different", "branch_vs_head"]
CommuneLevel = Literal["same", "either_shape", "different"]
StreetLevel = Literal[">=90", ">=70", "low"]
TaxCodeLevel = Literal["equal", "one_digit", "parent", "missing", "different"]
ComparisonName = Literal["name", "legal_form", "commune", "street", "tax_code"]


class Levels(TypedDict):
    """One pair's level of each comparison, in the order of ``COMPARISONS`` (the order the
    explanation stores them in)."""

    name: NameLevel
    legal_form: LegalFormLevel | None
    commune: CommuneLevel | None
    street: StreetLevel | None
    tax_code: TaxCodeLevel


@dataclass(frozen=True)
class Level:
    key: str  # as stored in a link's evidence and keyed in the model's weights
    label: str  # what it means, in a few words


@dataclass(frozen=True)
class ComparisonLevels:
    """One comparison: its levels in order, and whether it may have none (nothing to compare)."""

    name: ComparisonName
    title: str
    levels: tuple[Level, ...]
    missing: str | None = None  # when the comparison has no level, said in words
    learned: bool = True  # weights learned from the partition, else priors (matching.yaml)
    note: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(level.key for level in self.levels)

    def label(self, key: str | None) -> str:
        if key is None:
            return self.missing or "nothing to compare"
        return next(level.label for level in self.levels if level.key == key)


NAME = ComparisonLevels(
    "name",
    "name",
    (
        Level("exact", "the same name core (legal forms stripped, abbreviations expanded)"),
        Level(
            "trade_word_dropped",
            (
                "one side is the other with whole trade words left out, with or without a typo "
                "besides: `XÂY DỰNG TOÀN VIỆT` / `DỊCH VỤ XÂY DỰNG TOÀN VIỆT`"
            ),
        ),
        Level(
            "trade_word_cut",
            (
                "a trade word cut short, a piece of it kept: `VỤ XÂY DỰNG TOÀN VIỆT`, `MẠI NGUYỄN "
                "THÀNH BẢO`, `XÂY PHÚ VƯỢNG` for `XÂY DỰNG PHÚ VƯỢNG`; a clerk's slip, which two "
                "firms' names rarely are (the piece kept must not be a trade of its own: `XÂY DỰNG "
                "AN` beside `VẬT LIỆU XÂY DỰNG AN` is `trade_word_dropped`)"
            ),
        ),
        Level(
            "trade_words_differ",
            (
                "trade words differ on both sides, with or without a typo: `XÂY DỰNG HIỆP PHÁT` / "
                "`THƯƠNG MẠI HIỆP PHÁT`, often two firms"
            ),
        ),
        Level("same_words", "the same words reordered"),
        Level(
            "spacing",
            "equal once spaces are removed: `TƯ VẤ NTHÀNH` / `TƯ VẤN THÀNH`, `KIMHÂN` / `KIM HÂN`",
        ),
        Level(
            "typo",
            (
                "every other token the same, tokens differ only by near spellings (OSA similarity "
                "≥ 0.6), one of each two no Vietnamese syllable or a trade word: `HỒGN TÍN` / "
                "`HỒNG TÍN`, `XA DỰNG` / `XÂY DỰNG`; or, spaces taken out, one letter or a swap "
                "apart in six letters or more: `SAOH ẢJ` / `SAO HẢI`"
            ),
        ),
        Level(
            "near_word",
            (
                "as `typo`, but both spellings real words of the name: `KIM HÂN` / `KIM HẠNH`, "
                "often two firms"
            ),
        ),
        Level(
            "numeral_differs",
            "the numerals differ: `HIỆP PHÁT` / `HIỆP PHÁT II`, `CÔNG TY 257` / `258`",
        ),
        Level("one_word_differs", "one distinctive word differs (not dropped from the middle)"),
        Level(
            "middle_word_dropped",
            (
                "a word of the middle of one name missing from the other (`Nguyễn Mỹ Nhung` / "
                "`Nguyễn Nhung`)"
            ),
        ),
        Level("similar", "whole-name score at least `comparisons.name.similar` (80)"),
        Level("different", "none of the above"),
    ),
)

LEGAL_FORM = ComparisonLevels(
    "legal_form",
    "legal form",
    (
        Level("same", "the same legal forms"),
        Level("compatible", "forms in common, or TNHH and TNHH MTV"),
        Level("different", "other forms"),
        Level(
            "branch_vs_head", "one side a branch (or office, or business location), the other not"
        ),
    ),
    missing="either form unknown",
    note=(
        "a branch is compared by its company's form (`X tại Mỹ An` and "
        "`Chi nhánh Công ty TNHH X` are both TNHH)"
    ),
)

COMMUNE = ComparisonLevels(
    "commune",
    "commune",
    (
        Level("same", "the same new commune (old addresses mapped through the 2025 tables)"),
        Level(
            "either_shape",
            (
                "the same only when the commune's name is read in both shapes: `Xã Bình Thạnh, "
                "Tỉnh Đồng Tháp`, the pre-2025 Bình Thạnh of Hồng Ngự written with the new "
                "province, meets `Xã Bình Thạnh, Thành phố Hồng Ngự`, which is now part of another "
                "commune (`text/address.communes_in_either_shape`)"
            ),
        ),
        Level("different", "other communes"),
    ),
    missing="either commune unknown, or not compared (see the street)",
)

STREET = ComparisonLevels(
    "street",
    "street",
    (
        Level(">=90", "token-set ratio of the street parts at least 90"),
        Level(">=70", "token-set ratio at least 70"),
        Level("low", "token-set ratio below 70"),
    ),
    missing=(
        "either street blank, or not compared: names plainly `different` and no tax code "
        "for the pair weigh far below the review band, and their addresses are not parsed"
    ),
    note="the cuts are `comparisons.street.levels`; a level is named by its cut",
)

TAX_CODE = ComparisonLevels(
    "tax_code",
    "tax code",
    (
        Level("equal", "the unit's digits are the firm's code"),
        Level("one_digit", "one digit mistyped or two swapped"),
        Level(
            "parent",
            (
                "a branch's code and its head office's root; also a unit that reads as a branch "
                "written with the head office's own code, compared with the head office: the code "
                "names the family, not the office, and the branches' addresses and names decide"
            ),
        ),
        Level("missing", "the roll has no code for the unit"),
        Level("different", "another code"),
    ),
    learned=False,
    note="weighed by priors (`model.tax_code_priors`): exact links have equal codes by definition",
)

DECLARED: dict[str, ComparisonLevels] = {
    c.name: c for c in (NAME, LEGAL_FORM, COMMUNE, STREET, TAX_CODE)
}
COMPARISONS: tuple[ComparisonName, ...] = ("name", "legal_form", "commune", "street", "tax_code")
# the street's level at each cut of ``comparisons.street.levels`` (the options are checked
# against it: a cut with no declared level is refused)
STREET_CUTS: dict[int, StreetLevel] = {90: ">=90", 70: ">=70"}


def label(comparison: str, level: str | None) -> str:
    """A level in words (``docs/matching.md``, logs): ``label("tax_code", "one_digit")``."""
    return DECLARED[comparison].label(level)


def markdown_table() -> str:
    """The comparison table of ``docs/matching.md``, section 3, as declared here (``python -m
    reconcile.match.levels`` prints it)."""
    lines = ["| comparison | level | meaning |", "|---|---|---|"]
    for comparison in DECLARED.values():
        for level in comparison.levels:
            lines.append(f"| {comparison.title} | `{level.key}` | {level.label} |")
        if comparison.missing:
            lines.append(f"| {comparison.title} | none | {comparison.missing} |")
    lines.append("")
    lines += [f"- {c.title}: {c.note}" for c in DECLARED.values() if c.note]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
