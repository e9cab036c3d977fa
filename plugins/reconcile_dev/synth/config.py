"""What to generate: quarters, provinces, size, seed, and the rates of noise, trouble and problems."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reconcile.quarter import Quarter


@dataclass(frozen=True)
class NoiseRates:
    """Noise in the agency's own roll records, each drawn independently per unit.

    The default rates are the profile the matcher was built on; ``hard()`` is the profile to
    measure it on (see there). Name kinds apply to every unit of a firm. Tax-code kinds are exclusive: a unit gets at most
    one, ``tax_code_no_zero`` only where the code starts with 0 and ``parent_code`` only for a
    branch (their rates are shares of those units). ``old_address``: the unit's address was not
    updated after the 2025 merger (shows only in quarters from 2025Q3).
    """

    legal_form: float = 0.08  # legal form abbreviated or spelled differently (Cty TNHH, CTCP, DNTN)
    reorder: float = 0.04  # trade words reordered or dropped, a middle name dropped
    typo: float = 0.04  # one letter swapped, dropped, doubled or stripped of its diacritic
    english_name: float = 0.03  # "(HIEP PHAT TRADING COMPANY LIMITED)" appended
    upper: float = 0.06  # all capitals
    no_diacritics: float = 0.05  # diacritics missing
    nfd: float = 0.04  # decomposed (NFD) Unicode
    tax_code_blank: float = 0.10
    tax_code_typo: float = 0.04  # one digit mistyped (check digit then fails)
    tax_code_no_zero: float = 0.05  # of codes starting with 0: the leading zero lost
    parent_code: float = 0.20  # of branch units: the parent's 10-digit code instead of its own
    old_address: float = 0.06
    # --- the hard profile's kinds (0 by default: the default profile draws none of them) ---
    # Each is drawn from a random stream of its own, so that a profile with all of them at 0
    # writes exactly the files it wrote before they existed.
    legal_form_variant: float = 0.0  # a form the tables lack: C.TY, H.T.X, CÔNG TY HD, TNHHH
    legal_form_spelled_out: float = 0.0  # written out in full, mostly without accents
    name_word_dropped: float = 0.0  # a word of the distinctive name missing (GIÁO SÀI VƯỢNG)
    name_typo: float = 0.0  # a keying error anywhere: neighbour key, wrong tone, Telex left in
    space_moved: float = 0.0  # a letter moved across a space (TƯ VẤ NTHÀNH)
    spaces: float = 0.0  # doubled, missing or stray spaces
    legacy_vni: float = 0.0  # typed in the VNI font of old desktop software, read as Unicode
    legacy_tcvn3: float = 0.0  # the same with TCVN3 (ABC) fonts: "C«ng ty"
    utf8_mojibake: float = 0.0  # UTF-8 read as Windows-1252 by Excel and saved again
    renamed: float = 0.0  # the roll keeps the name the firm had before it renamed itself
    branch_tai_place: float = 0.0  # of branch units: "<parent's name> tại <place>"
    other_street: float = 0.0  # the unit at another street address of the same commune
    old_commune: float = 0.0  # the pre-2025 commune with the new province (from 2025Q3)
    address_ward_district: float = 0.0  # only "P. <ward>, Q. <district>", abbreviated

    @classmethod
    def hard(cls) -> NoiseRates:
        """How a provincial roll looks in practice, not how a matcher would like it.

        Clerks type names on the roll by hand, often in capitals and without Unikey; a roll
        carried over from desktop software keeps VNI text; files pass through Excel; addresses
        stay as the employer first declared them (a workshop's street, the old ward, or just
        ward and district); a firm renamed in the registry keeps its old name on the roll; and
        a quarter of the roll has no tax code at all (with the orphans' blanks, about a third).
        Kinds stack: on average a firm's unit carries about two, and one in ten none.
        """
        return cls(
            legal_form=0.12,
            reorder=0.05,
            typo=0.06,
            english_name=0.03,
            upper=0.30,
            no_diacritics=0.12,
            nfd=0.06,
            tax_code_blank=0.25,
            tax_code_typo=0.06,
            tax_code_no_zero=0.10,
            parent_code=0.30,
            old_address=0.08,
            legal_form_variant=0.08,
            legal_form_spelled_out=0.04,
            name_word_dropped=0.04,
            name_typo=0.08,
            space_moved=0.03,
            spaces=0.10,
            legacy_vni=0.02,
            legacy_tcvn3=0.01,
            utf8_mojibake=0.01,
            renamed=0.02,
            branch_tai_place=0.50,
            other_street=0.15,
            old_commune=0.06,
            address_ward_district=0.05,
        )


# The hard profile's kinds: left out of config.json while 0, so default files stay as they were.
HARD_ONLY = (
    "legal_form_variant", "legal_form_spelled_out", "name_word_dropped", "name_typo",
    "space_moved", "spaces", "legacy_vni", "legacy_tcvn3", "utf8_mojibake", "renamed", "branch_tai_place",
    "other_street", "old_commune", "address_ward_district",
)  # fmt: skip
NOISE_PROFILES = ("default", "hard")


def noise_profile(name: str) -> NoiseRates:
    """The rates of a named profile (``--noise default|hard``)."""
    if name == "default":
        return NoiseRates()
    if name == "hard":
        return NoiseRates.hard()
    raise ValueError(f"unknown noise profile {name!r} (one of {', '.join(NOISE_PROFILES)})")


def profile_name(rates: NoiseRates | dict[str, float]) -> str:
    """'default', 'hard' or 'custom': which profile these rates are (from config.json too)."""
    if isinstance(rates, dict):
        try:
            rates = NoiseRates(**rates)
        except TypeError:
            return "custom"
    for name in NOISE_PROFILES:
        if rates == noise_profile(name):
            return name
    return "custom"


@dataclass(frozen=True)
class RealName:
    """A firm's registered name (and address, legal form where given) from an agency's list."""

    name: str
    address: str = ""
    legal_form: str = ""


@dataclass(frozen=True)
class TroubleRates:
    """File-level trouble. Per-file rates are chances per file; per-row rates chances per data row."""

    header_variant: float = 0.5  # per column: another spelling from spec.yaml than the first
    header_no_diacritics: float = 0.15  # per file
    header_upper: float = 0.15  # per file
    shuffled_columns: float = 0.25  # per file
    title_block: float = 0.5  # per .xlsx file: a few title rows above the header
    bom: float = 0.3  # per UTF-8 CSV file
    cp1258: float = 0.3  # per roll CSV file: Windows-1258
    semicolon: float = 0.1  # per CSV file: ';' as the delimiter
    thousands_separators: float = 0.2  # per file: money written 1.234.567
    total_row: float = 0.4  # per file: "Tổng cộng" with sums at the bottom
    repeated_header: float = 0.001  # per data row
    duplicate_row: float = 0.002  # per data row
    invalid_tax_code: float = 0.002  # per data row: check digit broken
    blank_required: float = 0.002  # per data row: name, tax code or unit code blank


@dataclass(frozen=True)
class ProblemRates:
    """Planted compliance problems; shares of the firms or units each can happen to.

    The ground truth is computed from the records as written, by the rules' definitions, so the
    counts found there follow these rates only roughly.
    """

    not_registered: float = 0.05  # employing firms that never register their employees with BHXH
    not_registered_late: float = 0.25  # employing firms that register 31-90 days after starting
    late_registration: float = 0.25  # per quarter: an unregistered firm registers at last
    closed_on_roll: float = 0.25  # firms closing while on the roll whose unit stays open or owing
    fix_closed_on_roll: float = 0.3  # per quarter: the agency closes such a unit
    arrears_evasion: float = 0.02  # units unpaid > 60 days past due, after a written reminder
    arrears_late: float = 0.02  # units unpaid > 60 days past due, no reminder yet
    arrears_short: float = 0.08  # units with a normal lag of 1-3 months (never flagged)
    settle_arrears: float = 0.35  # per quarter: a unit in long arrears pays up
    under_registered: float = 0.04  # paying units of active firms insuring fewer than pit_employees
    wage_below_floor: float = 0.03  # paying units whose wage base per employee is below the floor
    stopped_paying: float = 0.02  # staffed active firms whose unit is paused or insures nobody
    wage_gap: float = 0.02  # employing firms paying far more than they insure (tax-side wages)


@dataclass(frozen=True)
class NoticeRates:
    """The daily change notices (``SynthConfig.notices``): how many, and how they go wrong.

    ``changed`` is a share of the living firms per quarter; the faults are shares of the
    notices: ``duplicate`` sent again (same id and content) in a later day's file, ``late``
    recorded 10-40 days after it took effect, ``withdrawn`` a spurious notice for another firm
    that its sender withdraws 1-10 days later. ``jsonl_day`` and ``xlsx_day``: per sender and
    day, the file is JSON lines or .xlsx instead of CSV.
    """

    # representative changes: off, as the next quarters' registry files (the world) do not take
    # them up and would contradict them; renames (hard noise) are told whatever this says
    changed: float = 0.0
    duplicate: float = 0.03
    late: float = 0.05
    withdrawn: float = 0.02
    jsonl_day: float = 0.15
    xlsx_day: float = 0.05


@dataclass(frozen=True)
class SynthConfig:
    quarters: tuple[Quarter, ...]
    provinces: tuple[str, ...] = ("82",)
    firms: int = 2000  # firms per province in the first quarter (new ones register later)
    seed: int = 42
    noise: NoiseRates = field(default_factory=NoiseRates)
    trouble: TroubleRates = field(default_factory=TroubleRates)
    problems: ProblemRates = field(default_factory=ProblemRates)
    # Real registered names the firms take, in order, instead of invented ones (each province
    # from the list's start; an address outside the province leaves the drawn commune).
    names: tuple[RealName, ...] = ()
    # Also write the quarters' daily change notices under <landing>/changes/ (synth/notices.py).
    notices: bool = False
    notice_rates: NoticeRates = field(default_factory=NoticeRates)

    def __post_init__(self) -> None:
        quarters = tuple(
            q if isinstance(q, Quarter) else Quarter.parse(str(q)) for q in self.quarters
        )
        object.__setattr__(self, "quarters", quarters)
        object.__setattr__(self, "provinces", tuple(str(p).zfill(2) for p in self.provinces))
        if not quarters:
            raise ValueError("give at least one quarter")
        for before, after in zip(quarters, quarters[1:], strict=False):
            if before.next() != after:
                raise ValueError(
                    f"quarters must be consecutive: {before} is not followed by {after}"
                )
        if self.firms < 1:
            raise ValueError("firms must be at least 1")
        if len(set(self.provinces)) != len(self.provinces):
            raise ValueError("a province is listed twice")
        from reconcile_dev.synth.reference import provinces

        unknown = [p for p in self.provinces if p not in provinces()]
        if unknown:
            raise ValueError(
                f"unknown new province code(s) {', '.join(unknown)} (the 34 codes of provinces.csv)"
            )
        object.__setattr__(self, "names", tuple(self.names))
        for group in (self.noise, self.trouble, self.problems, self.notice_rates):
            for name, value in asdict(group).items():
                if not 0.0 <= value <= 1.0:
                    raise ValueError(
                        f"{type(group).__name__}.{name} = {value} is not a rate between 0 and 1"
                    )
        noise = self.noise
        if (
            noise.tax_code_blank + noise.tax_code_typo + noise.tax_code_no_zero + noise.parent_code
            > 1
        ):
            raise ValueError("the tax-code noise rates (exclusive kinds) add up to more than 1")
        if self.problems.not_registered + self.problems.not_registered_late > 1:
            raise ValueError("not_registered + not_registered_late add up to more than 1")

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for kind in HARD_ONLY:
            if not out["noise"][kind]:
                del out["noise"][kind]
        if not self.notices:  # left out while off, so that config.json stays as it was
            del out["notices"], out["notice_rates"]
        if self.names:
            out["names"] = len(self.names)
        else:
            del out["names"]
        out["quarters"] = [str(q) for q in self.quarters]
        out["provinces"] = list(self.provinces)
        return out


@dataclass
class SynthResult:
    files: list[Path]  # landing files written
    truth_files: list[Path]
    counts: dict[tuple[str, str, str], int]  # (feed, quarter, province) -> data rows written
    findings: dict[tuple[str, str, str], int]  # (rule, quarter, province) -> expected findings
    firms: int  # firm-quarters generated
    units: int  # unit-quarters generated
    elapsed: float  # seconds
    # change notices of the provinces, written once all are generated (synth/notices.py)
    notices: list[Any] = field(default_factory=list)
