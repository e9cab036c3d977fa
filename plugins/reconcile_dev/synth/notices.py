"""The enterprises' change notices (FEEDS.md §5), as the registry and the tax office send them daily.

Opt-in (``SynthConfig.notices``, ``synth --notices``). Per quarter and province the notices
follow what happened in the world in that quarter:

- ``registered`` for each firm that started in it (effective on ``started_on``);
- a status notice for each firm whose state changed in it (effective on ``state_since``): the
  registry office (``dkkd``) tells its side's status (suspended, dissolving, bankrupt, revoked,
  dissolved, and ``resumed`` when a suspended or not-at-address firm is active again), the tax
  office (``thue``) its own (``tax_closed``, ``not_at_address``). A side whose status did not
  change sends nothing;
- ``changed``: a firm renamed since the roll was written (hard noise ``renamed``) gets a notice
  with its current name, the quarter its roll unit is first seen; and about 1% of the living
  firms a quarter a new representative. Only representatives change: a new name or address
  would contradict the next quarters' tax and registry files, which the world keeps as they are.

Faults: a notice sent twice (the copy in a later day's file), late (recorded 10-40 days after
it took effect, possibly in a folder after the quarter), and a spurious notice (a status for an
active firm) withdrawn by its sender 1-10 days later. Everything is drawn from a stream of its
own (tag 6), so the quarterly files do not change when notices are on.

Files: ``<landing>/changes/<YYYY-MM-DD>/changes_<sender>_<YYYYMMDD>.<ext>``, one per sender and
recorded day, with the notices of every province (written once all provinces are generated).
Truth: ``<truth>/changes/<quarter>/<province>/notices.csv`` and ``history.csv``.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import cache
from pathlib import Path

from reconcile.feeds.spec import specs
from reconcile.settings import load_yaml, package_data
from reconcile_dev.synth import names
from reconcile_dev.synth.config import NoticeRates, SynthConfig, TroubleRates
from reconcile_dev.synth.draws import pick as _pick
from reconcile_dev.synth.files import FilePlan, plan_file, write_csv, write_xlsx
from reconcile_dev.synth.records import old_shape
from reconcile_dev.synth.reference import Geography
from reconcile_dev.synth.world import (
    ACTIVE,
    NOT_AT_ADDRESS,
    SUSPENDED,
    Firm,
    Snapshot,
    quarter_tag,
    streams,
)

# the notices' random streams: (seed, province, 6, quarter) and (seed, 0, 6, 0, day, sender)
TAG = 6
SENDERS = ("dkkd", "thue")
FEED = "changes"
# the registry's status (statuses.yaml, vocabulary registry) -> the kind of its notice
REGISTRY_KINDS = {
    "suspended": "suspended",
    "dissolving": "dissolving",
    "bankrupting": "bankrupt",
    "revoked": "revoked",
    "dissolved": "dissolved",
}
# the tax office's status (vocabulary tax) -> the kind of its notice
TAX_KINDS = {"closed": "tax_closed", "not_at_address": "not_at_address"}
SENDER_OF = {"tax_closed": "thue", "not_at_address": "thue"}  # all other kinds: dkkd
STATUS_KINDS = frozenset({*REGISTRY_KINDS.values(), *TAX_KINDS.values(), "resumed"})
# a spurious notice: the kinds a wrong status notice for an active firm takes, by share
SPURIOUS = (("dissolved", 0.3), ("suspended", 0.25), ("dissolving", 0.1), ("revoked", 0.05),
            ("tax_closed", 0.2), ("not_at_address", 0.1))  # fmt: skip
# how day files look: header spellings vary, no title block (the feeds' titles are theirs)
PRESENTATION = TroubleRates(header_variant=0.5, header_no_diacritics=0.1, header_upper=0.1,
                            shuffled_columns=0.2, title_block=0.0, bom=0.3, cp1258=0.0,
                            semicolon=0.05, thousands_separators=0.0)  # fmt: skip
NOTICE_COLUMNS = ["notice_id", "sender", "tax_code", "kind", "effective_on", "recorded_on",
                  "withdraws", "fault", "effective", "changed", "old_name"]  # fmt: skip
HISTORY_COLUMNS = ["tax_code", "status", "name", "address", "registered_on"]


@cache
def kind_labels() -> dict[str, tuple[str, ...]]:
    """Canonical change kind -> its spellings, from statuses.yaml (vocabulary ``change_kind``)."""
    raw = load_yaml(package_data("feeds/data/statuses.yaml"))
    return {
        kind: tuple(str(s) for s in spellings) for kind, spellings in raw["change_kind"].items()
    }


@dataclass
class Notice:
    notice_id: str
    sender: str
    province: str
    tax_code: str
    kind: str
    effective_on: date
    recorded_on: date
    values: dict[str, object]  # name, address, ... as the notice carries them
    withdraws: str = ""
    fault: str = "none"  # none | duplicate | late | withdrawn | withdrawal
    effective: bool = True
    changed: str = ""  # a ``changed`` notice: what changed (name | representative)
    old_name: str = ""  # a rename: the name the roll keeps, as it writes it
    label: str = ""  # the kind as written

    def row(self) -> dict[str, object]:
        return {
            "notice_id": self.notice_id,
            "change_kind": self.label,
            "effective_on": self.effective_on,
            "recorded_on": self.recorded_on,
            "withdraws": self.withdraws or None,
            "sender": self.sender,
            "tax_code": self.tax_code,
            **self.values,
        }


@dataclass
class _Draft:
    firm: Firm
    kind: str
    effective_on: date
    sender: str
    changed: str = ""
    old_name: str = ""
    values: dict[str, object] = field(default_factory=dict)


class ProvinceNotices:
    """One province's notices, quarter after quarter: remembers each firm's sides' statuses."""

    def __init__(self, config: SynthConfig, geo: Geography) -> None:
        self.config = config
        self.rates: NoticeRates = config.notice_rates
        self.geo = geo
        self.province = geo.code
        self.seen: dict[int, tuple[str, str, str]] = {}  # firm -> (state, tax, registry)
        self.renamed: set[int] = set()  # firms whose rename was told
        self.counters: dict[tuple[str, int], int] = {}
        self.effective: dict[str, list[Notice]] = {}  # tax code -> its effective notices

    # --- what a notice carries ---------------------------------------------------------------
    def _address(self, firm: Firm, sender: str) -> tuple[str, str]:
        """The address and stated province as that side's quarterly file writes them."""
        day = firm.founded_on if sender == "dkkd" else firm.registered_on
        old = old_shape(day)
        address = self.geo.address(firm.street, firm.commune, firm.new_commune, old)
        return address, self.geo.old_province(firm.commune).name if old else self.geo.name

    def _identity(self, firm: Firm, sender: str) -> dict[str, object]:
        address, province = self._address(firm, sender)
        return {"name": firm.name, "address": address, "stated_province": province}

    def _registered(self, firm: Firm) -> dict[str, object]:
        return {
            **self._identity(firm, "dkkd"),
            "representative": firm.representative,
            "legal_form": firm.legal_label,
            "declared_employees": firm.declared,
            "industry": firm.industry,
        }

    # --- a quarter -----------------------------------------------------------------------------
    def quarter(self, snap: Snapshot, roll_names: dict[int, str]) -> list[Notice]:
        """The notices of the changes in ``snap.quarter`` (``roll_names``: firm -> its roll unit's
        name, for the firms whose roll keeps the name from before a rename)."""
        quarter = snap.quarter
        first, last = quarter.first_day, quarter.last_day
        _, rng = streams(self.config.seed, self.province, TAG, quarter_tag(quarter))
        drafts: list[_Draft] = []
        touched: set[int] = set()
        for view in snap.firms:
            firm = view.firm
            before = self.seen.get(firm.index, (ACTIVE, "active", "active"))
            now = (firm.state, view.tax_status, view.registry_status)
            self.seen[firm.index] = now
            if first <= firm.started_on <= last:
                drafts.append(
                    _Draft(
                        firm, "registered", firm.started_on, "dkkd", values=self._registered(firm)
                    )
                )
                touched.add(firm.index)
            if now != before and first <= firm.state_since <= last:
                kinds = []
                if now[2] != before[2]:
                    if firm.state == ACTIVE and before[0] in (SUSPENDED, NOT_AT_ADDRESS):
                        kinds.append("resumed")
                    elif now[2] in REGISTRY_KINDS:
                        kinds.append(REGISTRY_KINDS[now[2]])
                if now[1] != before[1] and now[1] in TAX_KINDS:
                    kinds.append(TAX_KINDS[now[1]])
                for kind in kinds:
                    sender = SENDER_OF.get(kind, "dkkd")
                    drafts.append(
                        _Draft(
                            firm,
                            kind,
                            firm.state_since,
                            sender,
                            values=self._identity(firm, sender),
                        )
                    )
                    touched.add(firm.index)
            if firm.index in roll_names and firm.index not in self.renamed:
                self.renamed.add(firm.index)
                unit = snap.units[firm.unit].unit if firm.unit is not None else None
                start = max(first, unit.joined_on + timedelta(days=1)) if unit else first
                day = _day(rng, min(start, last), last)
                drafts.append(
                    _Draft(
                        firm,
                        "changed",
                        day,
                        "dkkd",
                        changed="name",
                        old_name=roll_names[firm.index],
                        values=self._identity(firm, "dkkd"),
                    )
                )
                touched.add(firm.index)
        living = _untouched_active(snap, first, touched)  # their history stays "active"
        count = sum(1 for _ in living if rng.random() < self.rates.changed)
        for firm in rng.sample(living, min(count, len(living))):
            values = self._identity(firm, "dkkd")
            values["representative"] = names.person_name(rng)
            drafts.append(
                _Draft(
                    firm,
                    "changed",
                    _day(rng, first, last),
                    "dkkd",
                    changed="representative",
                    values=values,
                )
            )
            touched.add(firm.index)
        quiet = _untouched_active(snap, first, touched)
        notices: list[Notice] = []
        pairs: list[tuple[Notice, Notice]] = []
        for draft in drafts:
            notice = Notice(
                "",
                draft.sender,
                self.province,
                draft.firm.tax_code,
                draft.kind,
                draft.effective_on,
                draft.effective_on,
                draft.values,
                changed=draft.changed,
                old_name=draft.old_name,
            )
            u = rng.random()
            if u < self.rates.late:
                notice.fault = "late"
                notice.recorded_on = notice.effective_on + timedelta(days=rng.randint(10, 40))
            else:
                notice.recorded_on = notice.effective_on + timedelta(days=rng.randint(0, 3))
            notices.append(notice)
            if quiet and rng.random() < self.rates.withdrawn:
                firm = quiet.pop(rng.randrange(len(quiet)))
                kind = _pick(rng, SPURIOUS)
                sender = SENDER_OF.get(kind, "dkkd")
                effective = _day(rng, first, last)
                wrong = Notice(
                    "",
                    sender,
                    self.province,
                    firm.tax_code,
                    kind,
                    effective,
                    effective + timedelta(days=rng.randint(0, 3)),
                    self._identity(firm, sender),
                    fault="withdrawn",
                    effective=False,
                )
                fix = replace(
                    wrong,
                    fault="withdrawal",
                    recorded_on=wrong.recorded_on + timedelta(days=rng.randint(1, 10)),
                )
                pairs.append((wrong, fix))
                notices += [wrong, fix]
                touched.add(firm.index)
        # ids in the order the senders recorded them
        notices.sort(
            key=lambda n: (n.recorded_on, n.sender, n.effective_on, n.tax_code, n.kind, n.fault)
        )
        for notice in notices:
            key = (notice.sender, quarter.year)
            self.counters[key] = self.counters.get(key, 0) + 1
            notice.notice_id = (
                f"{notice.sender.upper()}-{self.province}-{quarter.year}-{self.counters[key]:06d}"
            )
            notice.label = _label(rng, kind_labels()[notice.kind])
        for wrong, fix in pairs:
            fix.withdraws = wrong.notice_id
        copies = []
        for notice in notices:
            if notice.fault == "none" and rng.random() < self.rates.duplicate:
                copies.append(
                    replace(
                        notice,
                        fault="duplicate",
                        effective=False,
                        recorded_on=notice.recorded_on + timedelta(days=rng.randint(1, 7)),
                    )
                )
        notices += copies
        for notice in notices:
            if notice.effective:
                self.effective.setdefault(notice.tax_code, []).append(notice)
        return notices

    def history(self, snap: Snapshot, notices: list[Notice]) -> list[list[object]]:
        """Per firm touched by the quarter's notices: its state at the quarter's end after every
        effective notice so far, in the history's order (effective day, recorded day, id)."""
        firms = {v.firm.tax_code: v.firm for v in snap.firms}
        rows: list[list[object]] = []
        for code in sorted({n.tax_code for n in notices}):
            status, name, address = "active", "", ""
            ordered = sorted(
                self.effective.get(code, []),
                key=lambda n: (n.effective_on, n.recorded_on, n.notice_id),
            )
            for notice in ordered:
                if notice.kind in STATUS_KINDS:
                    status = "active" if notice.kind == "resumed" else notice.kind
                name = str(notice.values.get("name") or name)
                address = str(notice.values.get("address") or address)
            firm = firms[code]
            if not ordered:  # only a withdrawn notice: what the files say
                name, address = firm.name, self._address(firm, "dkkd")[0]
            rows.append([code, status, name, address, firm.registered_on.isoformat()])
        return rows


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _label(rng: random.Random, spellings: tuple[str, ...]) -> str:
    return spellings[0] if len(spellings) == 1 or rng.random() < 0.6 else rng.choice(spellings[1:])


def write_truth(
    notices: ProvinceNotices, snap: Snapshot, written: list[Notice], truth_dir: Path
) -> list[Path]:
    folder = truth_dir / FEED / str(snap.quarter) / notices.province
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        [
            n.notice_id,
            n.sender,
            n.tax_code,
            n.kind,
            n.effective_on.isoformat(),
            n.recorded_on.isoformat(),
            n.withdraws,
            n.fault,
            "true" if n.effective else "false",
            n.changed,
            n.old_name,
        ]
        for n in sorted(written, key=lambda n: (n.notice_id, n.recorded_on))
    ]
    paths = []
    for name, columns, body in (
        ("notices.csv", NOTICE_COLUMNS, rows),
        ("history.csv", HISTORY_COLUMNS, notices.history(snap, written)),
    ):
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(body)
        paths.append(folder / name)
    return paths


# --- the day files ---------------------------------------------------------------------------------
def _columns(sender: str) -> list[str]:
    columns = list(specs()[FEED].columns)
    if sender == "thue":  # the tax office tells nothing of the registration's details
        columns = [
            c for c in columns if c not in ("representative", "legal_form", "declared_employees")
        ]
    return columns


def write_files(config: SynthConfig, notices: list[Notice], landing_dir: Path) -> list[Path]:
    """One file per sender and recorded day, every province's notices in it."""
    days: dict[tuple[date, str], list[Notice]] = {}
    for notice in notices:
        days.setdefault((notice.recorded_on, notice.sender), []).append(notice)
    paths = []
    for (day, sender), group in sorted(days.items()):
        _, rng = streams(config.seed, "0", TAG, 0, day.toordinal(), SENDERS.index(sender))
        u = rng.random()
        rates = config.notice_rates
        ext = "csv"
        if u < rates.xlsx_day:
            ext = "xlsx"
        elif u < rates.xlsx_day + rates.jsonl_day:
            ext = "jsonl"
        folder = landing_dir / FEED / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{FEED}_{sender}_{day:%Y%m%d}.{ext}"
        plan = plan_file(FEED, name, "xlsx" if ext == "xlsx" else "csv", "", "", PRESENTATION, rng)
        columns = _columns(sender)
        keep = [i for i, c in enumerate(plan.columns) if c in columns]
        plan.columns = [plan.columns[i] for i in keep]
        plan.headers = [plan.headers[i] for i in keep]
        rows: list[dict[str, object] | str] = [
            n.row() for n in sorted(group, key=lambda n: (n.province, n.notice_id))
        ]
        path = folder / name
        if ext == "csv":
            write_csv(path, plan, rows)
        elif ext == "xlsx":
            write_xlsx(path, plan, rows, datetime.combine(day, clock(17, 0)), sheet="Thong bao")
        else:
            _write_jsonl(path, plan, rows)
        paths.append(path)
    return paths


def _write_jsonl(path: Path, plan: FilePlan, rows: list[dict[str, object] | str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            assert isinstance(row, dict)
            record = {}
            for column, header in zip(plan.columns, plan.headers, strict=True):
                value = row.get(column)
                if value is None:
                    continue
                record[header] = (
                    value.strftime(plan.date_format) if isinstance(value, date) else value
                )
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _untouched_active(snap: Snapshot, first: date, touched: set[int]) -> list[Firm]:
    """Firms active on both sides since before the quarter that no notice has touched yet."""
    return [
        v.firm
        for v in snap.firms
        if v.firm.state == ACTIVE
        and v.tax_status == "active"
        and v.registry_status == "active"
        and v.firm.started_on < first
        and v.firm.index not in touched
    ]
