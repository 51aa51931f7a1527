"""`leadscore demo` and `leadscore run` (steps.end_to_end): what each dbt build selects."""

from __future__ import annotations

from leadscore import steps


def test_the_scoring_models_are_built_once_after_training(monkeypatch):
    """The first build leaves out what reads the scoring SQL, whether or not a model is already
    trained (a rerun of the demo has one): the scores are built once, after training, with the
    champion it chose. Together the two builds select everything (selectors.yml)."""
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(steps, "build", lambda target, selector=None: calls.append(("build", selector)))
    monkeypatch.setattr(steps, "train", lambda target: calls.append(("train", None)))
    monkeypatch.setattr(steps, "monitor", lambda target: calls.append(("monitor", None)))
    monkeypatch.setattr(steps, "summary", lambda target: calls.append(("summary", None)))
    steps.end_to_end(lambda: calls.append(("load", None)), "Load", target=None)
    assert calls == [
        ("load", None),
        ("build", "before_scoring"),
        ("train", None),
        ("build", "scores"),
        ("monitor", None),
        ("summary", None),
    ]
