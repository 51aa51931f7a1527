"""Whatever the user fitted -> (preprocessing steps, classifier, Platt calibration, input names).

Accepted: a bare classifier, a Pipeline (any step names; 'passthrough' steps), and either of those
inside a CalibratedClassifierCV with method='sigmoid' and one calibrated classifier (a
FrozenEstimator, or ensemble=False). Anything else is refused with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import Pipeline

from leadscore.transpile.assemblers import UnsupportedModelError


@dataclass(frozen=True)
class Decomposed:
    steps: tuple[object, ...]
    model: object
    calibration: tuple[float, float] | None  # (a, b): probability = 1 / (1 + exp(a * input + b))
    input_names: tuple[str, ...]
    pipeline: object  # what the calibrator wraps (the pipeline, or the bare model)


def _unwrap_calibrated(calibrated: CalibratedClassifierCV) -> tuple[object, tuple[float, float]]:
    if calibrated.method != "sigmoid":
        raise UnsupportedModelError(
            f"CalibratedClassifierCV(method={calibrated.method!r}) is not translated; use method='sigmoid'"
        )
    if len(calibrated.calibrated_classifiers_) != 1:
        raise UnsupportedModelError(
            f"CalibratedClassifierCV averages {len(calibrated.calibrated_classifiers_)} fitted models "
            "(ensemble=True); calibrate a FrozenEstimator, or use ensemble=False"
        )
    inner = calibrated.calibrated_classifiers_[0]
    fitted = inner.estimator
    fitted = getattr(fitted, "estimator", fitted) if type(fitted).__name__ == "FrozenEstimator" else fitted
    if len(inner.calibrators) != 1:
        raise UnsupportedModelError("only binary calibrated classifiers are supported")
    calibrator = inner.calibrators[0]
    return fitted, (float(calibrator.a_), float(calibrator.b_))


def decompose(estimator: object, input_names: Sequence[str] | None = None) -> Decomposed:
    calibration = None
    fitted = estimator
    if isinstance(estimator, CalibratedClassifierCV):
        fitted, calibration = _unwrap_calibrated(estimator)
    if isinstance(fitted, Pipeline):
        active = [step for _, step in fitted.steps if step is not None and step != "passthrough"]
        if not active:
            raise UnsupportedModelError("the pipeline has no classifier")
        steps, model = tuple(active[:-1]), active[-1]
    else:
        steps, model = (), fitted
    names = input_names
    if names is None:
        names = getattr(fitted, "feature_names_in_", None)
        if names is None:
            names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        count = getattr(fitted, "n_features_in_", None)
        if count is None:
            raise UnsupportedModelError("cannot tell the input columns: pass their names")
        names = [f"x{i}" for i in range(count)]
    return Decomposed(steps, model, calibration, tuple(str(n) for n in names), fitted)
