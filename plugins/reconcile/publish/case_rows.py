"""The workbook's case rows: one per case, a firm's rows together, money counted once per firm,
with the firm's other findings, the decision carried on and the history of decisions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd

from reconcile.publish.explanations import (
    describe_candidate,
    describe_evidence,
    describe_link,
    rule_title,
)
from reconcile.publish.labels import label, labels
from reconcile.publish.masking import mask_value, personal_workbook_columns
from reconcile.publish.workbook_columns import COLUMNS, LINK_QUESTION_RULES
from reconcile.rules import money as money_rules
from reconcile.rules.catalog import Rule


def case_rows(
    findings: pd.DataFrame,
    statuses: pd.DataFrame,
    links: pd.DataFrame,
    catalog: dict[str, Rule],
    firms: pd.DataFrame | None = None,
    carried: dict[str, dict[str, Any]] | None = None,
    mask: bool = True,
    group_of: Callable[[str | None], str] | None = None,
    history: dict[str, list[dict[str, Any]]] | None = None,
) -> pd.DataFrame:
    """The workbook's rows: findings with their case status, words for evidence and link.

    One row per case (a decision is a case's), a firm's rows together: firms by their total
    money counted once, largest first, then a firm's rows by their share. Each row shows the
    money it counts (``money_counted``: the firm's overlaps once), its own amount in the
    evidence when that is more, and the firm's other findings with their money and the firm's
    total.

    ``carried``: the last decision per case that goes on into this workbook (confirmed, in
    progress). ``history``: every decision per case so far, newest first
    (``decisions.history``), listed in *Lịch sử kết luận*. ``group_of``: the sheet a
    finding's address belongs on. Columns taken from a feed column the spec marks
    ``personal: true`` (the representative, the inspector, in the history too) are masked
    unless ``mask`` is False.
    """
    findings = findings.assign(
        money_counted=_counted(findings),
        subject_key=[
            money_rules.subject(c, u)
            for c, u in zip(findings["tax_code"], findings["unit_code"], strict=True)
        ],
    )
    by_subject: dict[str, list[Any]] = {}
    for item in findings.itertuples(index=False):
        by_subject.setdefault(item.subject_key, []).append(item)
    firm_total = {
        key: sum(int(i.money_counted) for i in items) for key, items in by_subject.items()
    }
    masked = personal_workbook_columns() if mask else set()
    status_by_case = (
        dict(zip(statuses["case_id"], statuses["status"], strict=True))
        if not statuses.empty
        else {}
    )
    link_by_unit = (
        {row.unit_code: row for row in links.itertuples(index=False)} if not links.empty else {}
    )
    representative = {}
    if firms is not None and not firms.empty:
        representative = dict(zip(firms["tax_code"], firms["representative"], strict=True))
    carried = carried or {}
    rows = []
    for item in findings.itertuples(index=False):
        evidence = item.evidence if isinstance(item.evidence, dict) else json.loads(item.evidence)
        link = link_by_unit.get(item.unit_code)
        link_evidence = None
        if link is not None:
            link_evidence = (
                link.evidence if isinstance(link.evidence, dict) else json.loads(link.evidence)
            )
        rule = catalog[item.rule]
        person = representative.get(item.tax_code) if item.tax_code else None
        person = person if isinstance(person, str) and person else ""
        previous = carried.get(item.case_id, {})
        rows.append(
            {
                "case_id": item.case_id,
                "case_status": label("case_status", status_by_case.get(item.case_id, "new")),
                "title": rule_title(rule.title, evidence),
                "rule": item.rule,
                "severity": int(item.severity),
                "legal_basis": item.legal_basis,
                "tax_code": item.tax_code or "",
                "unit_code": item.unit_code or "",
                "name": item.name or "",
                "representative": person,
                "address": item.address or "",
                "group": group_of(item.address) if group_of else "",
                "evidence": describe_evidence(evidence) + _alone(item),
                "link": describe_candidate(evidence)
                if item.rule in LINK_QUESTION_RULES
                else describe_link(link.method if link is not None else None, link_evidence),
                "money_counted": int(item.money_counted),
                "firm_findings": _firm_findings(item, by_subject[item.subject_key], catalog),
                "action": rule.action,
                "history": _history((history or {}).get(item.case_id, []), masked),
                "decision": label("decision", previous["decision"]) if previous else "",
                "note": previous.get("note") or "",
                "inspector": previous.get("inspector") or "",
                "decided_on": previous["decided_on"].strftime("%d/%m/%Y")
                if previous.get("decided_on")
                else "",
            }
        )
    frame = pd.DataFrame(rows, columns=[key for key, _, _ in COLUMNS])
    if mask:
        for key in sorted(personal_workbook_columns()):
            frame[key] = frame[key].map(mask_value).astype(object)
    subjects = list(findings["subject_key"])
    frame = frame.assign(_firm_money=[firm_total[s] for s in subjects], _subject=subjects)
    return (
        frame.sort_values(
            ["_firm_money", "_subject", "money_counted", "severity", "case_id"],
            ascending=[False, True, False, False, True],
        )
        .drop(columns=["_firm_money", "_subject"])
        .reset_index(drop=True)
    )


def _counted(findings: pd.DataFrame) -> pd.Series:
    """The findings' ``money_counted`` as stored; rows stored before it was (NULL) and frames
    without it are counted here (``money.counted``), as the rules step would have."""
    if findings.empty:
        return pd.Series([], index=findings.index, dtype="int64")
    stored = findings.get("money_counted")
    if stored is not None and stored.notna().all():
        return stored.astype("int64")
    return money_rules.counted(findings)


def _vnd(amount: int) -> str:
    return f"{int(amount):,} ₫".replace(",", ".")


def _alone(item: Any) -> str:
    """The finding's own amount, when its firm's other findings already count part of it."""
    if int(item.money_counted) >= int(item.money_at_stake):
        return ""
    return "; " + labels()["workbook"]["money_alone"].format(amount=_vnd(item.money_at_stake))


def _firm_findings(item: Any, members: list[Any], catalog: dict[str, Rule]) -> str:
    """The firm's other findings this quarter (title, legal basis, money counted) and its total."""
    others = [m for m in members if (m.case_id, m.rule) != (item.case_id, item.rule)]
    if not others:
        return ""
    words = labels()["workbook"]
    lines = []
    for other in sorted(others, key=lambda m: (-int(m.money_counted), m.case_id, m.rule)):
        evidence = (
            other.evidence if isinstance(other.evidence, dict) else json.loads(other.evidence)
        )
        title = rule_title(catalog[other.rule].title, evidence)
        lines.append(
            words["other_finding"].format(
                case_id=other.case_id,
                title=title,
                legal_basis=other.legal_basis,
                amount=_vnd(other.money_counted),
            )
        )
    total = sum(int(m.money_counted) for m in members)
    lines.append(words["firm_total"].format(amount=_vnd(total)))
    return "\n".join(lines)


def _history(decisions: list[dict[str, Any]], masked: set[str]) -> str:
    """The case's decisions so far, newest first: day, decision, inspector, note."""
    lines = []
    for d in decisions:
        day: Any = d.get("decided_on")
        inspector = d.get("inspector") or ""
        if inspector and "inspector" in masked:
            inspector = mask_value(inspector)
        note = d.get("note") if isinstance(d.get("note"), str) else ""
        if note and "note" in masked:
            note = mask_value(note)
        parts = [
            day.strftime("%d/%m/%Y") if hasattr(day, "strftime") else "",
            label("decision", d["decision"]),
        ]
        text = ": ".join(p for p in parts if p)
        if inspector:
            text += f" ({inspector})"
        if note:
            text += f" — {note}"
        lines.append(text)
    return "\n".join(lines)
