"""The hard noise profile and real registered names (issue 12).

The hard profile's kinds come at their rates, are recorded in the truth per unit, and are really
in the roll as written; the same seed writes the same bytes for both profiles; the default
profile's world is the one it was before the hard profile existed; names from an agency's list
reach the feeds, and the roll's noise applies to them.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from synth_support import ROOT, Generated, fold, make, nfc, quarters, text_of, tree_bytes

from reconcile.quarter import Quarter
from reconcile_dev.synth import NoiseRates, SynthConfig, TroubleRates, noise_profile, profile_name
from reconcile_dev.synth.config import HARD_ONLY
from reconcile_dev.synth.noise import (
    SPELLED_OUT,
    bad_spaces,
    drop_word,
    key_typo,
    move_space,
    noisy_name,
    to_tcvn3,
    to_utf8_mojibake,
    to_vni,
)
from reconcile_dev.synth.real_names import load_names
from reconcile_dev.synth.reference import geography

NAMES_FILE = ROOT / "tests" / "data" / "real_names_82.csv"
HARD = NoiseRates.hard()
# Name kinds that leave every other word of the name as it was (checked one at a time).
NAME_KINDS = {
    "legal_form", "reorder", "typo", "english_name", "upper", "no_diacritics", "nfd",
    "legal_form_variant", "legal_form_spelled_out", "name_word_dropped", "name_typo",
    "space_moved", "spaces", "legacy_vni", "legacy_tcvn3", "utf8_mojibake", "renamed",
    "branch_tai_place",
}  # fmt: skip


def close_to(observed: int, total: int, rate: float, slack: float = 0.0) -> bool:
    """Within four binomial standard deviations (plus ``slack``) of ``rate``."""
    sigma = (rate * (1 - rate) / total) ** 0.5
    return abs(observed / total - rate) <= 4 * sigma + slack


@pytest.fixture(scope="module")
def hard_world(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    config = SynthConfig(
        quarters=quarters("2025Q2", "2025Q3"), provinces=("82",), firms=5000, seed=17, noise=HARD
    )
    return make(tmp_path_factory.mktemp("hard"), config)


def _units(world: Generated, quarter: str) -> dict[str, dict[str, str]]:
    part = next(p for p in world.partitions if p.quarter == quarter)
    return {u["unit_code"]: u for u in part.table("units.csv") if u["kind"] == "firm"}


def _kinds(unit: dict[str, str]) -> set[str]:
    return set(filter(None, unit["noise"].split("|")))


# ------------------------------------------------------------------------------ the profile
def test_the_profiles_by_name() -> None:
    assert noise_profile("default") == NoiseRates() and noise_profile("hard") == HARD
    assert profile_name(NoiseRates()) == "default" and profile_name(HARD) == "hard"
    assert profile_name(replace(HARD, spaces=0.2)) == "custom"
    assert all(getattr(NoiseRates(), kind) == 0.0 for kind in HARD_ONLY)
    assert all(getattr(HARD, kind) > 0.0 for kind in HARD_ONLY)
    with pytest.raises(ValueError, match="unknown noise profile"):
        noise_profile("easy")
    # Harder than the default on every kind the two share, and a quarter without a tax code.
    for kind in ("legal_form", "typo", "upper", "no_diacritics", "tax_code_blank", "old_address"):
        assert getattr(HARD, kind) > getattr(NoiseRates(), kind), kind
    assert HARD.tax_code_blank >= 0.25
    SynthConfig(quarters=quarters("2025Q3"), noise=HARD)  # the rates are valid


def test_hard_kinds_come_at_their_rates(hard_world: Generated) -> None:
    units = _units(hard_world, "2025Q3")
    firms = {f["unit_code"]: f for p in hard_world.partitions for f in p.table("firms.csv")}
    n = len(units)
    assert n > 3000
    counts = Counter(k for u in units.values() for k in _kinds(u))
    # Kinds that always change what they touch come at their rate.
    for kind in ("spaces", "name_typo", "address_ward_district", "tax_code_blank", "upper"):
        assert close_to(counts[kind], n, getattr(HARD, kind)), (kind, counts[kind], n)
    # Kinds that need something to work on (three words, a form, diacritics, another street,
    # an address not already old) come at most at their rate, and at least at half of it.
    for kind in (
        "legal_form_variant", "legal_form_spelled_out", "name_word_dropped", "space_moved",
        "legacy_vni", "legacy_tcvn3", "utf8_mojibake", "renamed", "other_street", "old_commune",
    ):  # fmt: skip
        rate = getattr(HARD, kind)
        assert 0.5 * rate * n <= counts[kind] <= rate * n + 4 * (rate * n) ** 0.5, (kind, counts)
    branches = [u for code, u in units.items() if firms[code]["legal_form"] == "branch"]
    assert len(branches) > 200
    tai = sum("branch_tai_place" in _kinds(u) for u in branches)
    assert close_to(tai, len(branches), HARD.branch_tai_place, slack=0.05)
    # Most units carry one or two faults; a few none; a sizeable share no tax code at all.
    per_unit = Counter(len(_kinds(u)) for u in units.values())
    assert (per_unit[1] + per_unit[2]) / n > 0.5 and 0.05 < per_unit[0] / n < 0.25
    no_code = sum(u["kind"] != "firm" or "tax_code_blank" in _kinds(u) for u in units.values())
    assert no_code / n > 0.2


def test_merger_kinds_show_only_from_the_merger(hard_world: Generated) -> None:
    before = _units(hard_world, "2025Q2")
    after = _units(hard_world, "2025Q3")
    assert not any({"old_commune", "old_address"} & _kinds(u) for u in before.values())
    assert any("old_commune" in _kinds(u) for u in after.values())
    for code, unit in after.items():  # one shape or the other, never both
        assert not {"old_commune", "old_address"} <= _kinds(unit)
        assert not {"old_commune", "address_ward_district"} <= _kinds(unit)
        if code in before:
            assert _kinds(before[code]) - {"old_commune", "old_address"} == _kinds(unit) - {
                "old_commune",
                "old_address",
            }


def _street(address: str, old: bool) -> str:
    """The street part: everything before commune, (district,) province."""
    parts = address.split(", ")
    return ", ".join(parts[: -3 if old else -2])


def test_hard_noise_is_in_the_roll_as_written(hard_world: Generated) -> None:
    part = next(p for p in hard_world.partitions if p.quarter == "2025Q3")
    units = _units(hard_world, "2025Q3")
    firms = {f["tax_code"]: f for f in part.table("firms.csv")}
    tax = {text_of(r["tax_code"]): r for _, r in part.file("tax").rows}
    faults = part.faults("roll")
    geo = geography("82")
    checked: Counter[str] = Counter()
    for number, row in part.file("roll").rows:
        unit = units.get(text_of(row["unit_code"]))
        if unit is None or number in faults:
            continue
        firm = firms[unit["tax_code"]]
        kinds = _kinds(unit)
        name, truth = nfc(str(row["name"])), firm["name"]
        address = text_of(row["address"])
        name_kinds = kinds & NAME_KINDS
        if not name_kinds:
            assert name == truth
        alone = len(name_kinds) == 1
        if alone and "spaces" in kinds:  # doubled, stray or missing: the letters all there
            assert name != truth and name.replace(" ", "") == truth.replace(" ", "")
            checked["spaces"] += 1
        if "legacy_vni" in kinds:  # VNI bytes shown as Latin-1 letters: no Vietnamese letter
            assert all(ord(c) < 0x100 for c in name) and not name.isascii()
            checked["legacy_vni"] += 1
        if "legacy_tcvn3" in kinds:  # one Latin-1 byte a letter ("?" where cp1258 has none)
            assert all(ord(c) < 0x100 for c in name) and not name.isascii()
            assert sum(kind in kinds for kind in ("legacy_vni", "legacy_tcvn3")) == 1
            checked["legacy_tcvn3"] += 1
        if "utf8_mojibake" in kinds:
            assert any(mark in name for mark in ("Ã", "Ä", "á»", "áº", "Æ")), name
            checked["utf8_mojibake"] += 1
        if alone and "name_typo" in kinds:
            words, true_words = name.split(), truth.split()
            assert len(words) == len(true_words)
            assert sum(a != b for a, b in zip(words, true_words, strict=True)) == 1
            checked["name_typo"] += 1
        if alone and "space_moved" in kinds:
            assert name != truth and name.replace(" ", "") == truth.replace(" ", "")
            checked["space_moved"] += 1
        if alone and "name_word_dropped" in kinds:
            words, true_words = name.split(), truth.split()
            assert len(words) == len(true_words) - 1
            assert any(
                true_words[:i] + true_words[i + 1 :] == words for i in range(len(true_words))
            )
            checked["name_word_dropped"] += 1
        if alone and "legal_form_spelled_out" in kinds:
            assert any(fold(name).startswith(fold(s)) for s in SPELLED_OUT.values())
            checked["legal_form_spelled_out"] += 1
        if alone and "legal_form_variant" in kinds:
            assert name != truth and name.split()[-1] == truth.split()[-1]
            checked["legal_form_variant"] += 1
        if "branch_tai_place" in kinds and not kinds & (NAME_KINDS - {"branch_tai_place"}):
            parent = firms[firm["parent_tax_code"]]["name"]
            assert name.startswith(f"{parent} tại ") and not name.startswith("Chi nhánh")
            checked["branch_tai_place"] += 1
        if "renamed" in kinds:
            assert fold(name) != fold(truth)
            checked["renamed"] += 1
        old = "old_address" in kinds
        if "address_ward_district" in kinds:
            assert len(address.replace(" - ", ", ").split(", ")) == 2, address
            assert geo.name not in address
            checked["address_ward_district"] += 1
        if "old_commune" in kinds:  # the old ward's name with the new province, no district
            new = geo.communes[firm["commune_code"]]
            parts = address.split(", ")
            assert address.endswith(f", {geo.type} {geo.name}") and not old
            assert parts[-2] != f"{new.type} {new.name}", address
            assert not any(p.startswith(("Huyện ", "Quận ", "Thị xã ")) for p in parts)
            checked["old_commune"] += 1
        if "other_street" in kinds and "old_commune" not in kinds and firm["tax_code"] in tax:
            written = text_of(tax[firm["tax_code"]]["address"])
            tax_old = firm["registered_on"] < "2025-07-01"
            assert _street(address, old) != _street(written, tax_old), (address, written)
            checked["other_street"] += 1
    assert all(checked[k] > 0 for k in HARD_ONLY), checked


def test_the_kinds_change_only_what_they_say() -> None:
    """Each kind on its own, on a short name, so that a broken kind fails here by name."""
    import random

    rng = random.Random(3)
    name, prefix = "CÔNG TY TNHH MTV KIM HÂN", "CÔNG TY TNHH MTV"
    assert to_vni("Công ty Cổ phần Thương mại Đức") == "Coâng ty Coå phaàn Thöông maïi Ñöùc"
    assert to_utf8_mojibake("CÔNG") == "CÃ”NG"
    assert to_tcvn3("Công ty Thành phố Hồ Chí Minh Nguyễn Việt") == (
        "C«ng ty Thµnh phè Hå ChÝ Minh NguyÔn ViÖt"
    )
    assert to_tcvn3("CÔNG TY CỔ PHẦN ĐỨC") == "C¤NG TY Cæ PHÇN §øC"  # no toned capitals
    for _ in range(50):
        dropped = drop_word("CÔNG TY TNHH GIÁO DỤC SÀI VƯỢNG", "CÔNG TY TNHH", rng)
        assert dropped.startswith("CÔNG TY TNHH ") and len(dropped.split()) == 6
        typed = key_typo(name, prefix, rng)
        assert typed.startswith(prefix) and typed != name
        moved = move_space("CÔNG TY TNHH TƯ VẤN THÀNH", "CÔNG TY TNHH", rng)
        assert moved.replace(" ", "") == "CÔNGTYTNHHTƯVẤNTHÀNH" and moved.startswith(
            "CÔNG TY TNHH "
        )
        assert bad_spaces(name, rng) != name
    assert drop_word(name, prefix, rng) == name  # two words: nothing to drop without losing it
    # The default profile's kinds apply to a real name in capitals too.
    for _ in range(20):
        out, applied = noisy_name(name, "", prefix, (), ("legal_form",), rng)
        assert applied == ("legal_form",) and out.endswith(" KIM HÂN") and out == out.upper()
        assert not out.startswith(prefix + " ")


# ------------------------------------------------------------------------------ determinism
DET = SynthConfig(
    quarters=quarters("2025Q2", "2025Q3"), provinces=("82", "79"), firms=250, seed=123, noise=HARD
)


def test_the_hard_profile_gives_byte_identical_files(tmp_path: Path) -> None:
    first, second = make(tmp_path / "a", DET), make(tmp_path / "b", DET)
    a, b = tree_bytes(first.landing, first.truth), tree_bytes(second.landing, second.truth)
    assert a.keys() == b.keys() and len(a) == 2 * 2 * (3 + 6)
    assert [k for k in a if a[k] != b[k]] == []
    other = make(tmp_path / "c", replace(DET, seed=124))
    assert tree_bytes(other.landing, other.truth) != a


def test_the_hard_profile_gives_the_same_files_in_another_process(tmp_path: Path) -> None:
    """String hashing differs between processes: nothing may depend on set order."""
    here = make(tmp_path / "here", replace(DET, names=load_names(NAMES_FILE)))
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT / "plugins")!r})
        from reconcile.quarter import Quarter
        from reconcile_dev.synth import NoiseRates, SynthConfig, generate
        from reconcile_dev.synth.real_names import load_names
        config = SynthConfig(quarters=(Quarter(2025, 2), Quarter(2025, 3)), provinces=("82", "79"),
                             firms=250, seed=123, noise=NoiseRates.hard(),
                             names=load_names(Path({str(NAMES_FILE)!r})))
        out = Path({str(tmp_path / "there")!r})
        generate(config, out / "landing", out / "truth")
    """)
    env = dict(os.environ, PYTHONHASHSEED="4243")
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=ROOT)
    there = tmp_path / "there"
    assert tree_bytes(here.landing, here.truth) == tree_bytes(there / "landing", there / "truth")


# The default world's firms and units (names, codes, addresses, noise, statuses, head counts) as
# the generator made them before the hard profile existed (computed with the synth code of
# 0446325). Money is left out: it follows the wage-region table, which is the rules' data, not
# the generator's. If the default generation is changed on purpose, recompute this and say so.
DEFAULT_WORLD_FINGERPRINT = "470fc06a9fb5b4ec994ab5e476d55b488ed8d209b6cad9f6fb4c4f6b550d2fe5"


def world_fingerprint(config: SynthConfig, province: str) -> str:
    from reconcile_dev.synth.records import unit_noise
    from reconcile_dev.synth.world import ProvinceWorld

    digest = hashlib.sha256()
    world = ProvinceWorld(config, geography(province))
    for quarter in config.quarters:
        snap = world.advance(quarter)
        for view in snap.units:
            u = view.unit
            digest.update(repr((u.code, u.firm, u.name, u.tax_code_written,
                                unit_noise(view, quarter), u.address_old, u.address_new,
                                view.status, view.insured)).encode())  # fmt: skip
        for fview in snap.firms:
            f = fview.firm
            digest.update(
                repr((f.tax_code, f.name, f.street, f.legal_form, fview.tax_status)).encode()
            )
    return digest.hexdigest()


def test_the_default_world_is_the_one_it_was() -> None:
    config = SynthConfig(
        quarters=(Quarter(2025, 2), Quarter(2025, 3)), provinces=("82",), firms=600, seed=5
    )
    assert world_fingerprint(config, "82") == DEFAULT_WORLD_FINGERPRINT
    # ... and a configuration with the hard kinds written out at 0 is the same configuration.
    zeroed = replace(config, noise=replace(NoiseRates(), **dict.fromkeys(HARD_ONLY, 0.0)))
    assert zeroed.as_dict() == config.as_dict() and "names" not in config.as_dict()
    assert not set(HARD_ONLY) & set(config.as_dict()["noise"])


# ------------------------------------------------------------------------------ real names
@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    config = SynthConfig(
        quarters=quarters("2025Q3"),
        provinces=("82",),
        firms=400,
        seed=8,
        noise=HARD,
        names=load_names(NAMES_FILE),
        # No row faults: a name blanked by a file fault would hide what this test looks for.
        trouble=TroubleRates(
            repeated_header=0.0, duplicate_row=0.0, invalid_tax_code=0.0, blank_required=0.0
        ),
    )
    return make(tmp_path_factory.mktemp("named"), config)


def test_the_names_file_is_read() -> None:
    names = load_names(NAMES_FILE)
    assert len(names) == 61
    assert names[0].name == "CÔNG TY TNHH MTV KIM HÂN"
    assert names[0].address == "Phường 1, Thành phố Cao Lãnh, Tỉnh Đồng Tháp"
    assert names[19].legal_form == "hop_danh" and names[-1].address == ""
    geo = geography("82")
    assert all(geo.parse_address(n.address) is not None for n in names if n.address)


def test_names_from_a_file_reach_the_feeds_with_their_noise(named: Generated) -> None:
    names = load_names(NAMES_FILE)
    part = named.partitions[0]
    assert part.meta["config"]["names"] == len(names)
    firms = {f["name"]: f for f in part.table("firms.csv")}
    assert all(n.name in firms for n in names)  # every listed name became a firm
    tax = {text_of(r["name"]) for _, r in part.file("tax").rows}
    registry = {text_of(r["name"]) for _, r in part.file("registry").rows}
    assert all(n.name in tax and n.name in registry for n in names)
    # Where the list gives an address, the firm is in that commune (in either shape).
    geo = geography("82")
    tax_address = {text_of(r["tax_code"]): text_of(r["address"]) for _, r in part.file("tax").rows}
    for n in names:
        if n.address and n.name in firms:
            firm = firms[n.name]
            wanted = geo.parse_address(n.address)
            assert wanted is not None and firm["commune_code"] == wanted[2], n
            written = tax_address.get(firm["tax_code"])
            if written is not None:
                located = geo.parse_address(written)
                assert located is not None and located[2] == wanted[2], (written, n.address)
                if wanted[0]:
                    assert written.startswith(wanted[0])
    # The roll: each listed firm's unit carries the name, noisy exactly where the truth says.
    units = {u["unit_code"]: u for u in part.table("units.csv")}
    faults = part.faults("roll")
    listed = {firms[n.name]["tax_code"] for n in names}
    noisy = clean = 0
    for number, row in part.file("roll").rows:
        unit = units.get(text_of(row["unit_code"]))
        if unit is None or unit["tax_code"] not in listed or number in faults:
            continue
        truth = next(f for f in firms.values() if f["tax_code"] == unit["tax_code"])
        kinds = _kinds(unit) & NAME_KINDS
        name = nfc(str(row["name"]))
        if kinds:
            noisy += name != truth["name"]
        else:
            assert name == truth["name"]
            clean += 1
    assert noisy >= 5 and clean >= 5, (noisy, clean)


def test_synth_command_takes_the_profile_and_the_names(tmp_path: Path, capsys) -> None:
    from reconcile.cli import main

    code = main(["synth", "--quarters", "2025Q3", "--firms", "120", "--noise", "hard",
                 "--names", str(NAMES_FILE), "--landing", str(tmp_path / "landing"),
                 "--truth", str(tmp_path / "truth")])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "noise profile hard" in out and "61 real names" in out
    import json

    meta = json.loads((tmp_path / "truth" / "2025Q3" / "82" / "config.json").read_text("utf-8"))
    assert profile_name(meta["config"]["noise"]) == "hard" and meta["config"]["names"] == 61
