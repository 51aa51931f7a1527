"""m2cgen AST -> sqlglot expressions."""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot.expressions as exp
from m2cgen import ast

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


class SqlInterpreter:
    """m2cgen AST (the linear models' raw score) -> sqlglot; features[i] is the SQL behind FeatureRef(i).
    Trees have their own representation and writer (trees.py)."""

    def __init__(self, features: Sequence[exp.Expression]) -> None:
        self.features = features

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
        return _COMPARISON[node.op](this=self(node.left), expression=self(node.right))
