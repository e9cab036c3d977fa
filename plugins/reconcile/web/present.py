"""How warehouse values read on a page: Vietnamese labels, money, dates, evidence in words.

One source for each fact: labels come from ``publish/data/labels.yaml``, evidence wording from
the workbook's ``describe_evidence``, rule titles from the rule catalogue, masking from
``publish/masking.py``. Internal keys (``wage_bill``) never reach a page.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from reconcile.match.compare import COMPARISONS
from reconcile.publish.labels import label, labels
from reconcile.publish.masking import mask_value, personal_workbook_columns
from reconcile.publish.quality_report import fmt_int
from reconcile.publish.workbook import LINK_QUESTION_RULES, describe_evidence, rule_title
from reconcile.quarter import LOCAL_TZ, Quarter
from reconcile.rules.catalog import rules
from reconcile.text import admin_units

CONFIRMED = "confirmed"
_PLACEHOLDER = re.compile(r"\s*\{[^}]*\}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def money(value: int | float | None) -> str:
    """1234567 -> "1.234.567 ₫" (thousands grouped with dots, as in the agency's report)."""
    return "—" if value is None else f"{fmt_int(value)} ₫"


def day(value: date | datetime | str | None) -> str:
    """A date as dd/mm/yyyy."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def moment(value: datetime | str | None) -> str:
    """A time as dd/mm/yyyy HH:MM in Vietnam (a time stored without a zone is UTC)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def quarter_words(quarter: str) -> str:
    """2025Q2 -> "Quý 2/2025"."""
    try:
        parsed = Quarter.parse(quarter)
    except ValueError:
        return quarter
    return f"Quý {parsed.number}/{parsed.year}"


@cache
def province_name(code: str) -> str:
    for item in admin_units.provinces():
        if item.code == code:
            return f"{item.type} {item.name}"
    return code


def status_words(status: str | None) -> str:
    return label("case_status", status or "new")


def decision_codes() -> list[str]:
    """The decisions a person may record, in the labels' order (``confirmed_link`` is how
    ``confirmed`` reads on a case asking whether a unit is the firm's)."""
    return [key for key in labels()["decision"] if key != "confirmed_link"]


def is_link_question(rule_codes: list[str]) -> bool:
    return any(code in LINK_QUESTION_RULES for code in rule_codes)


def decision_words(code: str | None, link_question: bool = False) -> str:
    if code == CONFIRMED and link_question:
        return label("decision", "confirmed_link")
    return label("decision", code)


def decision_choices(link_question: bool) -> list[tuple[str, str]]:
    """(code, words) for the decide form."""
    return [(code, decision_words(code, link_question)) for code in decision_codes()]


def rule_words(code: str, evidence: dict[str, Any] | None = None) -> str:
    rule = rules().get(code)
    return rule_title(rule.title, evidence or {}) if rule is not None else code


def rule_choices() -> list[tuple[str, str]]:
    """(code, title) for the rule filter; a title's placeholders (``{candidate_unit}``) dropped."""
    return [(code, _PLACEHOLDER.sub("", rule.title)) for code, rule in rules().items()]


def status_choices() -> list[tuple[str, str]]:
    return list(labels()["case_status"].items())


def evidence_items(evidence: Any) -> list[tuple[str, str]]:
    """(label, value in words) per piece of evidence, in the workbook's wording."""
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    if not isinstance(evidence, dict):
        return []
    items = []
    for key, value in evidence.items():
        if value is None:
            continue
        if isinstance(value, str) and _ISO_DAY.match(value):
            value = day(value)
        words = label("evidence", key)
        text = describe_evidence({key: value})
        items.append((words, text[len(words) + 2 :] if text.startswith(words) else text))
    return items


def personal(value: Any, column: str, show: bool) -> Any:
    """``value`` masked when ``column`` carries personal data and the reader may not see it."""
    if show or column not in personal_workbook_columns():
        return value
    return mask_value(value)


def source_words(source: str | None) -> str:
    return label("decision_source", source)


# ---------------------------------------------------------------- a doubtful link, field by field


def _as_dict(evidence: Any) -> dict[str, Any]:
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    return evidence if isinstance(evidence, dict) else {}


@cache
def _commune_names(province: str) -> dict[str, str]:
    return {c.code: f"{c.type} {c.name}" for c in admin_units.communes(province)}


def commune_list(codes: Any, province: str) -> str:
    """Commune codes as their names ("Phường Cao Lãnh, Xã Mỹ Thọ")."""
    if not codes:
        return labels()["link_evidence"]["unknown_commune"]
    names = _commune_names(province)
    return ", ".join(names.get(str(code), str(code)) for code in codes)


def link_facts(evidence: Any, province: str) -> list[tuple[str, str]]:
    """(label, value) of what a link's evidence holds besides the per-field levels (the keys of
    ``match.link.explain``), in the order an inspector checks them."""
    evidence = _as_dict(evidence)
    words = labels()["link_evidence"]
    facts: list[tuple[str, str]] = []
    if evidence.get("probability") is not None:
        facts.append((words["probability"], f"{float(evidence['probability']):.1%}"))
    for key in ("unit_name", "firm_name"):
        if evidence.get(key):
            facts.append((words[key], str(evidence[key])))
    for key in ("name_score", "street_score"):
        if evidence.get(key) is not None:
            facts.append((words[key], f"{float(evidence[key]):.0f}/100"))
    if evidence.get("roll_tax_code"):
        facts.append((words["roll_tax_code"], str(evidence["roll_tax_code"])))
    for key in ("unit_communes", "firm_communes"):
        if key in evidence:
            facts.append((words[key], commune_list(evidence[key], province)))
    if evidence.get("prior") is not None:
        facts.append((words["prior"], f"{float(evidence['prior']):+.2f}"))
    return facts


def link_comparisons(evidence: Any) -> list[tuple[str, str, str]]:
    """(field, its comparison's level in words, its weight) of a fuzzy link, field by field."""
    evidence = _as_dict(evidence)
    levels = evidence.get("levels") or {}
    weights = evidence.get("weights") or {}
    if not isinstance(levels, dict) or not levels:
        return []
    level_words = labels()["link_levels"]
    missing = labels()["link_evidence"]["missing"]
    fields = [c for c in COMPARISONS if c in levels or c in weights]
    fields += sorted(c for c in levels if c not in COMPARISONS)
    rows = []
    for comparison in fields:
        level = levels.get(comparison)
        shown = missing if level is None else level_words.get(comparison, {}).get(level, level)
        weight = weights.get(comparison)
        rows.append(
            (
                label("link_comparison", comparison),
                str(shown),
                "" if weight is None else f"{float(weight):+.2f}",
            )
        )
    return rows
