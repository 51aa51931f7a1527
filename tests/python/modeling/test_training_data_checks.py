"""Training refuses data it cannot learn from, saying which table, column and counts."""

from __future__ import annotations

import pandas as pd
import pytest

from leadscore.modeling.dataset import MIN_TRAIN_POSITIVES, TrainingData, TrainingDataError, check_trainable
from leadscore.modeling.feature_spec import FeatureSpec

SPEC = FeatureSpec(numeric=("x",), boolean=(), categorical=())


def _data(train_positives: int, rows_per_split: int = 5000) -> TrainingData:
    parts = []
    for split, positives in (("train", train_positives), ("validation", 100), ("test", 100)):
        labels = [True] * positives + [False] * (rows_per_split - positives)
        parts.append(
            pd.DataFrame(
                {"lead_id": range(rows_per_split), "x": 1.0, "is_converted_in_window": labels, "split": split}
            )
        )
    return TrainingData(frame=pd.concat(parts, ignore_index=True), spec=SPEC, splits=pd.DataFrame())


def test_enough_data_passes():
    check_trainable(_data(MIN_TRAIN_POSITIVES))


def test_too_few_conversions_names_table_column_and_counts():
    with pytest.raises(TrainingDataError) as error:
        check_trainable(_data(MIN_TRAIN_POSITIVES - 1))
    message = str(error.value)
    # schema.model when a manifest says where dbt built it, else the model's name
    assert "lead_training_set.is_converted_in_window" in message
    assert f"{MIN_TRAIN_POSITIVES - 1} conversions" in message and "5,000 rows" in message


def test_one_class_is_refused():
    with pytest.raises(TrainingDataError, match="only one class in split 'train'"):
        check_trainable(_data(0))


def test_empty_split_is_refused():
    data = _data(MIN_TRAIN_POSITIVES)
    data.frame = data.frame[data.frame["split"] != "test"]
    with pytest.raises(TrainingDataError, match="no rows with split = 'test'"):
        check_trainable(data)


def test_non_boolean_label_is_refused():
    data = _data(MIN_TRAIN_POSITIVES)
    data.frame["is_converted_in_window"] = data.frame["is_converted_in_window"].map(
        {True: "yes", False: "no"}
    )
    with pytest.raises(TrainingDataError, match="must be boolean"):
        check_trainable(data)


def test_a_date_order_by_is_shown_as_dates_not_epoch_seconds():
    from dataclasses import replace

    import pandas as pd

    from leadscore.modeling.feature_spec import FeatureSpec
    from leadscore.modeling.job import time_span

    spec = FeatureSpec(
        numeric=("x",), boolean=(), categorical=(), time_column="ordering_value", time_display="number"
    )
    seconds = pd.Series([1_704_067_200.0, 1_735_603_200.0])  # 2024-01-01 and 2024-12-31
    assert (
        time_span(seconds, replace(spec, time_display="epoch_seconds"))
        == "order_by dates 2024-01-01 to 2024-12-31"
    )
    assert time_span(pd.Series([12.0, 3456.0]), spec) == "ordering_value 12 to 3,456"
    as_of = pd.Series(pd.to_datetime(["2025-01-01", "2025-06-01"]))
    assert (
        time_span(as_of, FeatureSpec(numeric=("x",), boolean=(), categorical=()))
        == "as_of_at 2025-01-01 to 2025-06-01"
    )
