"""The benchmark's own correctness: every SQL form it times must be checked against predict_proba,
and its near-threshold rows must be able to catch a translator that compares raw doubles."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadscore.bench.data import ModelSize
from leadscore.bench.document import write_section
from leadscore.bench.report import render_scoring_section
from leadscore.bench.runner import run_benchmark

EXACT_FORMS = ("chained_case", "nested_case", "conditions_once", "column_per_tree", "leaf_index")
MODELS = [ModelSize("gbm", 12, 3), ModelSize("lightgbm", 15, 7), ModelSize("hgb", 10, 7)]


@pytest.fixture(scope="module")
def small_run():
    return run_benchmark(rows=3_000, sizes=MODELS, repeats=1, threads=1)


@pytest.mark.parametrize("index", range(len(MODELS)), ids=[m.label() for m in MODELS])
def test_every_exact_form_matches_predict_proba_on_all_rows(small_run, index) -> None:
    result = small_run[index]
    forms = EXACT_FORMS + (("float32_cast",) if result.model.family == "gbm" else ())
    for name in forms:
        variant = result.variant(name)
        assert variant is not None and variant.error is None, name
        assert variant.max_difference is not None and variant.max_difference < 1e-9, name
        assert variant.wrong_near_thresholds == 0, name
    assert result.boundary_rows > 0


def test_boundary_rows_catch_the_naive_translation(small_run) -> None:
    naive = small_run[0].variant("naive")
    assert naive is not None and naive.wrong_near_thresholds is not None
    assert naive.wrong_near_thresholds > 0


def test_report_has_one_table_row_per_model(small_run) -> None:
    text = render_scoring_section(small_run, {"cpu": "test"}, "leadscore bench scoring --rows 3000")
    assert "| gbm | 12 | 3 depth |" in text
    assert "| lightgbm | 15 | 7 leaves |" in text
    assert "`leaf_index`" in text


def test_model_sizes_parse_and_refuse_nonsense() -> None:
    assert ModelSize.parse("lightgbm:400x31") == ModelSize("lightgbm", 400, 31)
    assert ModelSize.parse("xgboost:100x4") == ModelSize("xgboost", 100, 4)
    for nonsense in ("catboost:10x3", "lightgbm:10", "lightgbm:ax31", "lightgbm:0x31"):
        with pytest.raises(ValueError, match="FAMILY:TREESxSIZE"):
            ModelSize.parse(nonsense)


def test_a_section_rewrite_leaves_the_other_sections_alone(tmp_path: Path) -> None:
    document = tmp_path / "BENCHMARKS.md"
    write_section(document, "scoring", "old scoring\n")
    write_section(document, "pipeline", "pipeline numbers\n")
    write_section(document, "scoring", "new scoring\n")
    text = document.read_text()
    assert "new scoring" in text and "old scoring" not in text
    assert text.count("pipeline numbers") == 1
