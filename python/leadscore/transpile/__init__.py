"""Fitted scikit-learn pipelines -> SQL, in m2cgen's shape: assemblers (model -> m2cgen AST),
an interpreter (AST -> sqlglot expressions), and a query builder that emits one SELECT per
dialect. No SQL is built by pasting strings."""

from leadscore.transpile.query import ScoringQuery, build_scoring_query

__all__ = ["ScoringQuery", "build_scoring_query"]
