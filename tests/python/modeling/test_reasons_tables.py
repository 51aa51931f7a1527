"""The reasons tables of the model card: what the contribution column measures, and Markdown rows
that keep their cells whatever the header or the data holds."""

from __future__ import annotations

import re

import pandas as pd

from leadscore.evaluation.model_card import _table
from leadscore.evaluation.reasons_summary import importance_table


def _cells(line: str) -> list[str]:
    """A Markdown row's cells: split on pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", line.strip().removeprefix("|").removesuffix("|"))


def test_the_contribution_column_says_shap_unless_the_reasons_are_saabas():
    checked = {"mean_abs_contribution": {"visits": 0.4, "industry": 0.1}}
    importance = pd.Series({"visits": 0.7, "industry": 0.3})
    shapley = importance_table(checked, importance, "exact path-dependent TreeSHAP (...)")
    saabas = importance_table(checked, importance, "tree path contributions (Saabas)")
    linear = importance_table(checked, importance, "coefficient x (value - training mean)")
    assert "mean |SHAP| (log-odds)" in shapley.columns and "mean |SHAP| (log-odds)" in linear.columns
    assert "mean |Saabas contribution| (log-odds)" in saabas.columns
    assert list(shapley["feature"]) == ["visits", "industry"]


def test_a_pipe_in_a_header_or_a_value_stays_inside_its_cell():
    frame = pd.DataFrame({"feature": ["industry"], "mean |SHAP| (log-odds)": [0.5], "value": ["a|b"]})
    header, rule, row = _table(frame).splitlines()
    assert len(_cells(header)) == len(_cells(rule)) == len(_cells(row)) == 3
    assert r"a\|b" in row and r"mean \|SHAP\|" in header
