"""How well the pipeline did on generated feeds: the warehouse against the ground truth.

Links: precision, recall and F1 of (unit -> firm) links, overall and by the kind of noise the
generator put on the unit (the hard profile's kinds included: the kinds are read from the truth,
never listed here). The noise profile the truth was generated with is reported with the scores. Findings: the same, per rule, a finding being identified by its
subject (the tax code for firm rules, the unit code for unit rules). The truth folder is written
by ``reconcile_dev.synth``; the pipeline itself never reads it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconcile.quarter import Quarter
from reconcile.rules.catalog import rules
from reconcile.warehouse import schema as t
from reconcile.warehouse.engine import get_engine
from reconcile.warehouse.store import read_frame


@dataclass(frozen=True)
class Score:
    expected: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.expected if self.expected else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return (
            2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
        )

    def as_dict(self) -> dict[str, Any]:
        rounded = {
            k: None if v is None else round(v, 4)
            for k, v in (("precision", self.precision), ("recall", self.recall), ("f1", self.f1))
        }
        return {
            "expected": self.expected,
            "predicted": self.predicted,
            "correct": self.correct,
            **rounded,
        }


def score(expected: Iterable[tuple], predicted: Iterable[tuple]) -> Score:
    truth, guess = set(expected), set(predicted)
    return Score(len(truth), len(guess), len(truth & guess))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _kinds(noise: str) -> list[str]:
    return [kind for kind in noise.split("|") if kind] or ["clean"]


def evaluate_links(
    truth_links: list[dict[str, str]], unit_noise: dict[str, str], predicted: dict[str, str]
) -> dict[str, Any]:
    """``predicted``: unit code -> linked tax code (links in the "link" band only)."""
    expected = {(row["unit_code"], row["tax_code"]) for row in truth_links}
    guessed = set(predicted.items())
    result: dict[str, Any] = {"overall": score(expected, guessed).as_dict(), "by_noise": {}}
    kinds = sorted({kind for noise in unit_noise.values() for kind in _kinds(noise)})
    for kind in kinds:
        units = {unit for unit, noise in unit_noise.items() if kind in _kinds(noise)}
        result["by_noise"][kind] = score(
            (pair for pair in expected if pair[0] in units),
            (pair for pair in guessed if pair[0] in units),
        ).as_dict()
    return result


def evaluate_findings(
    truth_findings: list[dict[str, str]],
    predicted: list[dict[str, Any]],
    planted: set[str] | None = None,
) -> dict[str, Any]:
    """Per rule; ``planted``: the rules the generator plants (the others cannot be scored)."""
    catalog = rules()

    def subject(rule: str, tax_code: str | None, unit_code: str | None) -> str | None:
        rule_def = catalog.get(rule)
        if rule_def is None:  # planted by the generator, not (yet) a rule of the pipeline
            return unit_code or tax_code
        return tax_code if rule_def.subject == "firm" else unit_code

    names = sorted({f["rule"] for f in truth_findings} | {f["rule"] for f in predicted})
    result: dict[str, Any] = {}
    for rule in names:
        expected = {
            subject(rule, f["tax_code"] or None, f["unit_code"] or None)
            for f in truth_findings
            if f["rule"] == rule
        }
        guessed = {
            subject(rule, f["tax_code"], f["unit_code"]) for f in predicted if f["rule"] == rule
        }
        result[rule] = {
            **score(((s,) for s in expected), ((s,) for s in guessed)).as_dict(),
            "implemented": rule in catalog,
            "planted": planted is None or rule in planted,
        }
    return result


def noise_profile_of(meta: dict[str, Any]) -> str:
    """The noise profile a truth folder's config.json was generated with: "default", "hard"
    or "custom", read from its rates, so that a score is never read against the wrong data."""
    from reconcile_dev.synth.config import profile_name

    rates = (meta.get("config") or {}).get("noise")
    return profile_name(rates) if isinstance(rates, dict) else "unknown"


def evaluate(
    warehouse_url: str, truth_dir: Path, quarter: Quarter, provinces: list[str] | None = None
) -> dict[str, Any]:
    """Scores for a quarter, per province and overall, as a JSON-ready dict."""
    base = Path(truth_dir) / str(quarter)
    if not base.is_dir():
        raise FileNotFoundError(f"no ground truth for {quarter} in {truth_dir}")
    provinces = provinces or sorted(p.name for p in base.iterdir() if p.is_dir())
    truth_links, unit_noise, truth_findings = [], {}, []
    planted: set[str] = set()
    profiles: set[str] = set()
    predicted_links: dict[str, str] = {}
    predicted_findings: list[dict[str, Any]] = []
    with get_engine(warehouse_url).connect() as conn:
        for province in provinces:
            folder = base / province
            truth_links += _read_csv(folder / "links.csv")
            unit_noise.update({u["unit_code"]: u["noise"] for u in _read_csv(folder / "units.csv")})
            truth_findings += _read_csv(folder / "findings.csv")
            config = folder / "config.json"
            if config.is_file():
                meta = json.loads(config.read_text(encoding="utf-8"))
                planted |= set(meta.get("definitions", {}))
                profiles.add(noise_profile_of(meta))
            links = read_frame(conn, t.link, quarter=str(quarter), province=province)
            if not links.empty:
                linked = links[links["band"] == "link"]
                predicted_links.update(zip(linked["unit_code"], linked["tax_code"], strict=True))
            findings = read_frame(conn, t.finding, quarter=str(quarter), province=province)
            predicted_findings += (
                findings[["rule", "tax_code", "unit_code"]].to_dict("records")
                if not findings.empty
                else []
            )
    return {
        "quarter": str(quarter),
        "provinces": provinces,
        "noise_profile": "/".join(sorted(profiles)) or "unknown",
        "links": evaluate_links(truth_links, unit_noise, predicted_links),
        "findings": evaluate_findings(truth_findings, predicted_findings, planted or None),
    }


def format_evaluation(result: dict[str, Any]) -> str:
    def row(name: str, s: dict[str, Any]) -> str:
        def f(v: float | None) -> str:
            return "   -  " if v is None else f"{v:6.3f}"

        return f"  {name:<24} {s['expected']:>8} {s['predicted']:>9} {s['correct']:>8}  {f(s['precision'])} {f(s['recall'])} {f(s['f1'])}"

    header = f"  {'':<24} {'expected':>8} {'predicted':>9} {'correct':>8}  {'prec.':>6} {'recall':>6} {'F1':>6}"
    lines = [
        f"Evaluation of {result['quarter']} ({', '.join(result['provinces'])}) against the ground truth"
        f" (noise profile {result.get('noise_profile', 'unknown')})",
        "Links:",
        header,
    ]
    lines.append(row("all", result["links"]["overall"]))
    lines += [row(f"noise: {kind}", s) for kind, s in result["links"]["by_noise"].items()]
    lines += ["Findings by rule:", header]
    for rule, s in result["findings"].items():
        note = "" if s["implemented"] else "  (rule not built yet)"
        note = note or (
            "" if s.get("planted", True) else "  (not planted by the generator: not scored)"
        )
        lines.append(row(rule, s) + note)
    return "\n".join(lines)
