"""Render a report page from its Jinja2 template, autoescaped: a feature or model name is text,
never markup. Figures and tables come in as already-safe HTML (Markup)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

_environment = Environment(
    loader=PackageLoader("leadscore.reporting", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def figure_html(figure: plt.Figure, title: str) -> Markup:
    """The figure as an inline PNG (the page opens offline), captioned."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return Markup(
        '<figure><img alt="{0}" src="data:image/png;base64,{1}"><figcaption>{0}</figcaption></figure>'
    ).format(title, encoded)


def html_table(frame: pd.DataFrame, percent_columns: tuple[str, ...] = ()) -> Markup:
    """A table of figures (4 decimals; the percent_columns as percentages)."""
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
            shown[column] = values.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
        elif not pd.api.types.is_float_dtype(values):  # floats: NaN is written as na_rep
            shown[column] = values.astype(object).where(values.notna(), "")
    for column in percent_columns:
        if column in shown:
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
    return Markup(
        shown.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="", border=0, escape=True)
    )


def render_page(template: str, path: Path, **context: object) -> Path:
    page = _environment.get_template(template).render(**context)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path


__all__ = ["Markup", "escape", "figure_html", "html_table", "render_page"]
