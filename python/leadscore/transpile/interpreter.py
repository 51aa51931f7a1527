"""m2cgen AST -> sqlglot expressions."""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot.expressions as exp
from m2cgen import ast

from leadscore.transpile.float32 import float32_cut
from leadscore.transpile.literals import double

_ARITHMETIC = {
    ast.BinNumOpType.ADD: exp.Add,
    ast.BinNumOpType.SUB: exp.Sub,
    ast.BinNumOpType.MUL: exp.Mul,
    ast.BinNumOpType.DIV: exp.Div,
}
_COMPARISON = {
    ast.CompOpType.GT: exp.GT,
    ast.CompOpType.GTE: exp.GTE,
    ast.CompOpType.LT: exp.LT,
    ast.CompOpType.LTE: exp.LTE,
    ast.CompOpType.EQ: exp.EQ,
    ast.CompOpType.NOT_EQ: exp.NEQ,
}


def balanced_sum(terms: Sequence[exp.Expression]) -> exp.Expression:
    """a + b + c + ... as a balanced tree: depth log2(n), so a thousand terms stay parseable
    (DuckDB refuses expressions deeper than 1000; parsers recurse per level)."""
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return exp.Paren(this=exp.Add(this=balanced_sum(terms[:middle]), expression=balanced_sum(terms[middle:])))


def _summands(node: ast.Expr) -> list[ast.Expr]:
    """The operands of a chain of additions (m2cgen builds them left-deep), in order, without recursion."""
    pending, out = [node], []
    while pending:
        current = pending.pop()
        if isinstance(current, ast.BinNumExpr) and current.op is ast.BinNumOpType.ADD:
            pending.extend([current.right, current.left])
        else:
            out.append(current)
    return out


FLOAT32_MODES = ("boundary", "cast", "naive")


class SqlInterpreter:
    """features[i] is the SQL expression behind FeatureRef(i).

    float32_inputs: the model compares float32(x) with its thresholds (scikit-learn trees). How:
    "boundary" (default) rewrites each threshold as the exact double boundary (no casts);
    "cast" casts x to a 32-bit float in SQL; "naive" compares the raw double (wrong near
    thresholds: kept only to measure against)."""

    def __init__(
        self, features: Sequence[exp.Expression], float32_inputs: bool, float32_mode: str = "boundary"
    ) -> None:
        if float32_mode not in FLOAT32_MODES:
            raise ValueError(f"float32_mode must be one of {FLOAT32_MODES}")
        self.features = features
        self.float32_inputs = float32_inputs and float32_mode != "naive"
        self.float32_mode = float32_mode

    def __call__(self, node: ast.Expr) -> exp.Expression:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise NotImplementedError(f"no SQL for m2cgen node {type(node).__name__}")
        return method(node)

    def _NumVal(self, node: ast.NumVal) -> exp.Expression:
        return double(node.value)

    def _FeatureRef(self, node: ast.FeatureRef) -> exp.Expression:
        return self.features[node.index].copy()

    def _BinNumExpr(self, node: ast.BinNumExpr) -> exp.Expression:
        if node.op is ast.BinNumOpType.ADD:
            return balanced_sum([self(term) for term in _summands(node)])
        operation = _ARITHMETIC[node.op]
        return exp.Paren(this=operation(this=self(node.left), expression=self(node.right)))

    def _IfExpr(self, node: ast.IfExpr) -> exp.Expression:
        return exp.Case(ifs=[exp.If(this=self(node.test), true=self(node.body))], default=self(node.orelse))

    def _CompExpr(self, node: ast.CompExpr) -> exp.Expression:
        if self.float32_inputs and self.float32_mode == "cast" and node.op is ast.CompOpType.LTE:
            as_float32 = exp.Cast(this=self(node.left), to=exp.DataType.build("float"))
            return exp.LTE(this=as_float32, expression=self(node.right))
        if self.float32_inputs and node.op is ast.CompOpType.LTE and isinstance(node.right, ast.NumVal):
            cut = float32_cut(node.right.value)
            comparison = exp.LTE if cut.inclusive else exp.LT
            return comparison(this=self(node.left), expression=double(cut.boundary))
        if self.float32_inputs:
            raise NotImplementedError("float32 comparisons are only rewritten for `feature <= threshold`")
        if isinstance(node.right, ast.NumVal) and node.op is ast.CompOpType.LTE:
            return exp.LTE(this=self(node.left), expression=double(node.right.value))
        return _COMPARISON[node.op](this=self(node.left), expression=self(node.right))
