"""The features a `features.date` column becomes, in Python: the twin of
macros/staging/lead_table_columns.sql's lead_table_date_part, which builds them in the warehouse.
Tests hold the two to the same values on every row."""

from __future__ import annotations

import pandas as pd

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def date_features(dates: pd.Series, as_of: pd.Series) -> pd.DataFrame:
    """days_since: whole calendar days from the date to the as-of time (negative when the date is
    later); month: 'm01'..'m12'; weekday: 'mon'..'sun'. A missing date gives missing features."""
    moments = pd.to_datetime(dates)
    days = (pd.to_datetime(as_of).dt.normalize() - moments.dt.normalize()).dt.days
    return pd.DataFrame(
        {
            "days_since": days.astype("float64"),
            "month": moments.dt.month.map(lambda month: f"m{int(month):02d}", na_action="ignore"),
            "weekday": moments.dt.day_of_week.map(lambda day: WEEKDAYS[int(day)], na_action="ignore"),
        },
        index=dates.index,
    )
