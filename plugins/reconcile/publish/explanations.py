"""Findings and links in words an inspector can check: a rule's title with the finding's values,
the evidence with statuses in Vietnamese, and why a unit is (or may be) linked to a firm."""

from __future__ import annotations

import re
from typing import Any

from reconcile.publish.labels import label, labels
from reconcile.rules.catalog import rules

_STATUS_GROUPS = {
    "tax_status": "tax_status",
    "registry_status": "registry_status",
    "unit_status": "unit_status",
    "employer_link": "employer_link",
    "region_from": "region_from",
    "defect": "defect",
}


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def rule_title(title: str, evidence: dict[str, Any]) -> str:
    """A rule's title with the finding's values in it (``{candidate_unit}``), else as written."""
    if "{" not in title:
        return title
    try:
        return title.format(**{k: "" if v is None else v for k, v in evidence.items()})
    except (KeyError, IndexError, ValueError):
        return title


def rule_name(code: str) -> str:
    """A rule's title from the catalogue, its finding's values shown as "…" (the summary's
    count per rule); the code itself only for a rule the catalogue does not know."""
    rule = rules().get(code)
    return re.sub(r"\{[^}]*\}", "…", rule.title) if rule is not None else code


def describe_evidence(evidence: dict[str, Any]) -> str:
    """Evidence in words: 'Label: value; ...' with statuses in Vietnamese."""
    parts = []
    for key, value in evidence.items():
        if value is None:
            continue
        shown = label(_STATUS_GROUPS[key], value) if key in _STATUS_GROUPS else value
        if key == "link_method":
            shown = label("link_method", value)
        if key == "would_be_rule":
            shown = label("would_be_rule", value)
        if isinstance(shown, str) and _ISO_DAY.match(shown):
            shown = f"{shown[8:10]}/{shown[5:7]}/{shown[:4]}"  # dd/mm/yyyy, as inspectors write
        if isinstance(shown, int) and not isinstance(shown, bool) and abs(shown) >= 10_000:
            shown = f"{shown:,}".replace(",", ".")
        parts.append(f"{label('evidence', key)}: {shown}")
    return "; ".join(parts)


def describe_candidate(evidence: dict[str, Any]) -> str:
    """A unit the search of the roll found for a firm that has no link: not a link, a question."""
    text = (
        f"Có thể đã có trên danh sách BHXH là đơn vị {evidence.get('candidate_unit')} "
        f"«{evidence.get('candidate_unit_name') or ''}» — cần xác minh"
    )
    if evidence.get("candidate_comparison"):
        text += f": {evidence['candidate_comparison']}"
    return text


def describe_link(method: str | None, evidence: dict[str, Any] | None) -> str:
    """Why a unit is linked to a firm, in words an inspector can check against the two records."""
    if not method:
        return "Không có đơn vị BHXH tương ứng"
    text = label("link_method", method)
    evidence = evidence or {}
    if method != "fuzzy":
        if evidence.get("roll_tax_code"):
            text += f" (MST trên danh sách đơn vị: {evidence['roll_tax_code']})"
        return text
    levels = evidence.get("levels", {})
    words = labels()["link_levels"]
    parts = [
        f"tên giống {evidence.get('name_score', 0):.0f}/100 («{evidence.get('unit_name', '')}» ~ «{evidence.get('firm_name', '')}»)"
    ]
    for comparison in ("name", "commune", "legal_form", "tax_code"):
        level = levels.get(comparison)
        if level is not None:
            parts.append(words[comparison].get(level, level))
    if evidence.get("street_score") is not None:
        parts.append(f"địa chỉ giống {evidence['street_score']:.0f}/100")
    probability = evidence.get("probability")
    head = f"{text} (độ tin cậy {probability:.1%})" if probability is not None else text
    return f"{head}: " + "; ".join(parts)
