"""The evaluation's arithmetic on hand-made truth and predictions."""

from __future__ import annotations

import pytest

from reconcile_dev.evaluation import evaluate_findings, evaluate_links, format_evaluation, score


def test_score_by_hand() -> None:
    s = score([(1,), (2,), (3,), (4,)], [(1,), (2,), (9,)])
    assert (s.expected, s.predicted, s.correct) == (4, 3, 2)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert score([], []).precision is None and score([(1,)], [(2,)]).f1 == 0.0


def test_links_overall_and_by_noise() -> None:
    truth = [
        {"unit_code": u, "tax_code": c}
        for u, c in [("U1", "A"), ("U2", "B"), ("U3", "C"), ("U4", "D")]
    ]
    noise = {"U1": "", "U2": "upper", "U3": "upper|tax_code_blank", "U4": "tax_code_typo", "U5": ""}
    predicted = {
        "U1": "A",
        "U2": "B",
        "U4": "X",
        "U5": "E",
    }  # U3 missed, U4 wrong, U5 has no true link
    result = evaluate_links(truth, noise, predicted)
    assert result["overall"] == {
        "expected": 4,
        "predicted": 4,
        "correct": 2,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }
    assert (
        result["by_noise"]["clean"]["precision"] == 0.5
        and result["by_noise"]["clean"]["recall"] == 1.0
    )
    assert result["by_noise"]["upper"]["recall"] == 0.5
    assert result["by_noise"]["tax_code_typo"] == {
        "expected": 1,
        "predicted": 1,
        "correct": 0,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }


def test_findings_are_compared_by_their_subject() -> None:
    truth = [
        {"rule": "NOT_REGISTERED", "tax_code": "A", "unit_code": ""},
        {"rule": "NOT_REGISTERED", "tax_code": "B", "unit_code": ""},
        {"rule": "ARREARS_LATE", "tax_code": "", "unit_code": "U1"},
        {"rule": "FUTURE_RULE", "tax_code": "C", "unit_code": "U2"},
    ]
    predicted = [
        {"rule": "NOT_REGISTERED", "tax_code": "A", "unit_code": None},
        {"rule": "NOT_REGISTERED", "tax_code": "Z", "unit_code": None},
        {
            "rule": "ARREARS_LATE",
            "tax_code": "linked-firm",
            "unit_code": "U1",
        },  # the unit is the subject
    ]
    predicted.append({"rule": "WAGE_GAP", "tax_code": "D", "unit_code": "U3"})
    result = evaluate_findings(
        truth, predicted, planted={"NOT_REGISTERED", "ARREARS_LATE", "FUTURE_RULE"}
    )
    assert (result["NOT_REGISTERED"]["precision"], result["NOT_REGISTERED"]["recall"]) == (0.5, 0.5)
    assert result["ARREARS_LATE"]["f1"] == 1.0
    assert result["FUTURE_RULE"]["implemented"] is False and result["FUTURE_RULE"]["recall"] == 0.0
    text = format_evaluation(
        {
            "quarter": "2025Q3",
            "provinces": ["82"],
            "links": evaluate_links([], {}, {}),
            "findings": result,
        }
    )
    assert "FUTURE_RULE" in text and "(rule not built yet)" in text
    assert result["WAGE_GAP"]["planted"] is False and "not planted by the generator" in text


def test_the_noise_profile_is_read_from_the_truth_and_reported() -> None:
    from dataclasses import asdict

    from reconcile.quarter import Quarter
    from reconcile_dev.evaluation import noise_profile_of
    from reconcile_dev.synth import NoiseRates, SynthConfig

    default = SynthConfig(quarters=(Quarter(2025, 3),)).as_dict()
    hard = SynthConfig(quarters=(Quarter(2025, 3),), noise=NoiseRates.hard()).as_dict()
    assert noise_profile_of({"config": default}) == "default"
    assert noise_profile_of({"config": hard}) == "hard"
    custom = {**asdict(NoiseRates()), "upper": 0.5}
    assert noise_profile_of({"config": {"noise": custom}}) == "custom"
    assert noise_profile_of({}) == "unknown"
    text = format_evaluation(
        {
            "quarter": "2025Q3",
            "provinces": ["82"],
            "noise_profile": "hard",
            "links": evaluate_links(
                [{"unit_code": "U1", "tax_code": "A"}], {"U1": "name_word_dropped|spaces"}, {}
            ),
            "findings": {},
        }
    )
    assert "(noise profile hard)" in text.splitlines()[0]
    assert "noise: name_word_dropped" in text and "noise: spaces" in text
