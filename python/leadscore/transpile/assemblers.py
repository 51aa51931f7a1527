"""Model -> m2cgen AST of its raw score (log-odds), keyed by estimator class.

m2cgen 0.10 has no assembler for GradientBoostingClassifier; ours reuses its tree assembler for
each fitted regression tree, scales the leaves by the learning rate and keeps the trees apart
(a list, not m2cgen's left-deep sum) so the SQL builder can sum them without deep expressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from m2cgen import ast
from m2cgen.assemblers.linear import SklearnLinearModelAssembler
from m2cgen.assemblers.tree import TreeModelAssembler
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression


class UnsupportedModelError(TypeError):
    pass


@dataclass(frozen=True)
class RawScore:
    """The model's raw score: constant + sum(terms). Features are FeatureRef(i) into the prepared matrix."""

    constant: float
    terms: tuple[ast.Expr, ...]
    float32_inputs: bool  # tree comparisons follow scikit-learn's float32 cast


def _scale_leaves(node: ast.Expr, factor: float) -> ast.Expr:
    if isinstance(node, ast.IfExpr):
        return ast.IfExpr(node.test, _scale_leaves(node.body, factor), _scale_leaves(node.orelse, factor))
    if isinstance(node, ast.NumVal):
        return ast.NumVal(factor * node.value)  # the product scikit-learn's predict_stages computes
    raise UnsupportedModelError(f"unexpected tree node {type(node).__name__}")


def assemble_logistic(model: LogisticRegression) -> RawScore:
    if model.coef_.shape[0] != 1:
        raise UnsupportedModelError("only binary logistic regression is supported")
    tree = SklearnLinearModelAssembler(model).assemble()  # intercept + sum(coef_i * x_i)
    return RawScore(constant=0.0, terms=(tree,), float32_inputs=False)


def assemble_gradient_boosting(model: GradientBoostingClassifier) -> RawScore:
    if model.estimators_.shape[1] != 1:
        raise UnsupportedModelError("only binary gradient boosting is supported")
    initial = float(model._raw_predict_init(np.zeros((1, model.n_features_in_)))[0, 0])
    trees = tuple(
        _scale_leaves(TreeModelAssembler(tree).assemble(), model.learning_rate)
        for tree in model.estimators_[:, 0]
    )
    return RawScore(constant=initial, terms=trees, float32_inputs=True)


ASSEMBLERS = {
    LogisticRegression: assemble_logistic,
    GradientBoostingClassifier: assemble_gradient_boosting,
}


def assemble_raw_score(model: object) -> RawScore:
    assembler = ASSEMBLERS.get(type(model))
    if assembler is None:
        supported = ", ".join(cls.__name__ for cls in ASSEMBLERS)
        raise UnsupportedModelError(f"no SQL assembler for {type(model).__name__}; supported: {supported}")
    return assembler(model)
