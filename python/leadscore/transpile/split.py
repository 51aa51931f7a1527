"""A scoring or reasons statement too large for a dialect (budgets.py), split exactly into batch
statements over the trees and one final statement that reads them.

Each batch statement scores the input relation with a contiguous batch of the summands (constant,
linear part, trees) and writes keys plus a partial sum; the final statement joins the batches on the
keys and adds the partials. The batches follow the halving of `balanced_sum`, and the final sum
pairs them the same way, so the split score is the unsplit one bit for bit. Reasons (contributions)
are split by trees the same way; their per-feature sums regroup, so they agree with the unsplit ones
to rounding (bias + contributions still equal the log-odds: asserted within 1e-9).

Part relations are written as placeholders (PART_PLACEHOLDER); whoever runs the batches (the dbt
macro `split_statement`, or a test) materialises each as a table and substitutes its name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlglot.expressions as exp

from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.blocks import Blocks
from leadscore.transpile.budgets import term_budget, text_size
from leadscore.transpile.collector import without_collector
from leadscore.transpile.dialects import dialect as sql_dialect
from leadscore.transpile.explain import CONTRIBUTION_PREFIX, Explained, contribution_columns, explain
from leadscore.transpile.interpreter import balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.query import INPUT_PLACEHOLDER, REFUSED, response_steps, score_terms, translate
from leadscore.transpile.shapley import statement_terms

PART_PLACEHOLDER = "__scoring_part_{}__"
PARTIAL = "partial_raw_score"


@dataclass
class Statement:
    """One SELECT, printed per dialect with its large blocks spliced in (blocks.py)."""

    skeleton: exp.Select
    blocks: Blocks = field(default_factory=Blocks)

    @without_collector
    def sql(self, dialect: str, relation: str | None = None, parts: Sequence[str] | None = None) -> str:
        text = self.blocks.fill(self.skeleton.sql(dialect=sql_dialect(dialect), copy=False), dialect)
        if relation is not None:
            text = text.replace(INPUT_PLACEHOLDER, relation)
        for index, part in enumerate(parts or ()):  # the trailing "__" keeps part 1 out of part 10
            text = text.replace(PART_PLACEHOLDER.format(index), part)
        return text


@dataclass
class SplitStatement:
    parts: list[Statement]  # each reads the input relation
    final: Statement  # reads the parts

    def sql(self, dialect: str) -> tuple[list[str], str]:
        return [part.sql(dialect) for part in self.parts], self.final.sql(dialect)


# A batch tree: a leaf is a list of summand indices; a node is (left, right) as balanced_sum halves.
BatchTree = list[int] | tuple["BatchTree", "BatchTree"]


def runnable_split(
    split: tuple[list[str], str], relation: str, names: Sequence[str]
) -> tuple[list[str], str]:
    """A printed split ready to run: its batch statements over `relation`, and the final statement
    reading batch k from names[k] (whoever runs it builds each batch as that relation first)."""
    parts, final = split
    for index, name in enumerate(names):  # the trailing "__" keeps part 1 out of part 10
        final = final.replace(PART_PLACEHOLDER.format(index), name)
    return [part.replace(INPUT_PLACEHOLDER, relation) for part in parts], final


def batch_tree(indices: list[int], batches: int) -> BatchTree:
    """Halve the summands as balanced_sum does, `batches` (a power of two) leaves deep at most."""
    if batches <= 1 or len(indices) <= 1:
        return indices
    middle = len(indices) // 2
    return (batch_tree(indices[:middle], batches // 2), batch_tree(indices[middle:], batches // 2))


def leaves(tree: BatchTree) -> list[list[int]]:
    if isinstance(tree, list):
        return [tree]
    return leaves(tree[0]) + leaves(tree[1])


def combine(tree: BatchTree, columns: list[exp.Expression]) -> exp.Expression:
    """The partial sums added in the shape balanced_sum gave the summands."""
    position = iter(columns)

    def walk(node: BatchTree) -> exp.Expression:
        if isinstance(node, list):
            return next(position)
        return exp.Paren(this=exp.Add(this=walk(node[0]), expression=walk(node[1])))

    return walk(tree)


def _from_parts(select: exp.Select, count: int, keys: Sequence[str]) -> exp.Select:
    """FROM part 0 AS p0 JOIN part k AS pk ON the keys (every part holds every input row once)."""
    select = select.from_(exp.to_table(PART_PLACEHOLDER.format(0)).as_("p0"), copy=False)
    for k in range(1, count):
        on = exp.and_(
            *[
                exp.EQ(
                    this=exp.column(key, table="p0", quoted=True),
                    expression=exp.column(key, table=f"p{k}", quoted=True),
                )
                for key in keys
            ]
        )
        select = select.join(
            exp.Join(this=exp.to_table(PART_PLACEHOLDER.format(k)).as_(f"p{k}"), on=on), copy=False
        )
    return select


def _part_keys(keys: Sequence[str]) -> list[exp.Expression]:
    """The keys as the unsplit query names them, read from the first part."""
    return [exp.column(key, table="p0", quoted=True).as_(exp.to_identifier(key, quoted=True)) for key in keys]


def _with_prepared(select: exp.Select, translation) -> exp.Select:
    return select.from_("prepared", copy=False).with_(
        "prepared", as_=translation.prepared_select(), materialized=True, copy=False
    )


def refuse_float32_split(raw) -> None:
    """XGBoost's margin is a float32 running sum in tree order: batches summed apart would round
    differently, so such a model is never split (it must fit the dialect's statement budget)."""
    if raw.float32_sum:
        raise UnsupportedModelError(
            f"this XGBoost model ({len(raw.trees)} trees) is over the warehouse's statement budget, and its "
            "float32 running sum cannot be split into batches exactly: fit fewer or shallower trees"
        )


def planning_batches(explained: Explained, budget: int | None = None) -> int:
    """How many batches (a power of two) a reasons statement needs on every dialect so that none
    holds more than `budget` TreeSHAP terms (budgets.term_budget()): 1 for Saabas and linear
    reasons, and for XGBoost's float32 sums, which cannot be split exactly (refuse_float32_split)
    and stay one statement as before."""
    raw = explained.translation.raw
    if explained.method != "shapley" or raw.float32_sum or len(raw.trees) < 2:
        return 1
    budget = term_budget() if budget is None else budget
    terms = [statement_terms([tree]) for tree in raw.trees]
    batches = 1
    while batches < len(terms):
        largest = max(
            sum(terms[k] for k in batch) for batch in leaves(batch_tree(list(range(len(terms))), batches))
        )
        if largest <= budget:
            break
        batches *= 2
    return batches


@without_collector
def split_scoring_query(estimator: object, keys: Sequence[str], batches: int) -> SplitStatement:
    """The scoring query as `batches` batch statements (a power of two) and a final one; its output
    columns are the unsplit query's (keys, raw_score, log_odds, probability)."""
    translation = translate(estimator, keys)
    refuse_float32_split(translation.raw)
    terms = score_terms(translation)
    tree = batch_tree(list(range(len(terms))), batches)
    refusal = translation.refusal()
    key_columns = [exp.column(key, quoted=True) for key in keys]
    parts = []
    for index, batch in enumerate(leaves(tree)):
        blocks = Blocks()
        partial = balanced_sum([terms[i] for i in batch])
        outputs = [*[k.copy() for k in key_columns], blocks.add(partial).as_(PARTIAL, copy=False)]
        if index == 0 and refusal is not None:
            outputs.append(refusal.copy().as_(REFUSED))
        parts.append(Statement(_with_prepared(exp.select(*outputs, copy=False), translation), blocks))
    count = len(parts)
    raw = combine(tree, [exp.column(PARTIAL, table=f"p{k}") for k in range(count)])
    scored = exp.select(
        *_part_keys(keys),
        raw.as_("raw_score", copy=False),
        *([exp.column(REFUSED, table="p0").as_(REFUSED)] if refusal is not None else []),
        copy=False,
    )
    scored = _from_parts(scored, count, keys)
    final = response_steps(translation, key_columns, refusal is not None)([("scored", scored)])
    return SplitStatement(parts, Statement(final))


@without_collector
def split_contribution_query(
    estimator: object,
    keys: Sequence[str],
    features: Sequence[str],
    reference_means: Sequence[float] | None,
    batches: int,
    method: str = "saabas",
    explained: Explained | None = None,
) -> SplitStatement:
    """The reasons query as batch statements over the trees (the linear part rides in the first)
    and a final one with the unsplit query's columns (keys, bias, contribution__<feature>).
    explained: the model already explained with `method` (ContributionQuery.explained), if at hand."""
    if explained is None:
        explained = explain(estimator, keys, reference_means, method)
    translation = explained.translation
    refuse_float32_split(translation.raw)
    tree = batch_tree(list(range(explained.tree_count)), batches)
    batch_list = leaves(tree) if explained.tree_count else [[]]
    key_columns = [exp.column(key, quoted=True) for key in keys]
    parts = []
    for index, batch in enumerate(batch_list):
        blocks = Blocks(printed=explained.printed)
        stages, source, sums = explained.tree_selects(batch, features, blocks.add, linear=index == 0)
        select = exp.select(
            *[k.copy() for k in key_columns], *contribution_columns(features, sums), copy=False
        )
        select = _with_prepared(select, translation).from_(source, copy=False)
        for name, stage in stages:
            select = select.with_(name, as_=stage, materialized=True, copy=False)
        parts.append(Statement(select, blocks))
    count = len(parts)

    def summed(feature: str) -> exp.Expression:
        column = exp.to_identifier(CONTRIBUTION_PREFIX + feature, quoted=True)
        return balanced_sum([exp.column(column.copy(), table=f"p{k}") for k in range(count)])

    final = exp.select(
        *_part_keys(keys),
        double(explained.bias).as_("bias"),
        *[
            summed(feature).as_(exp.to_identifier(CONTRIBUTION_PREFIX + feature, quoted=True), copy=False)
            for feature in features
        ],
        copy=False,
    )
    return SplitStatement(parts, Statement(_from_parts(final, count, keys)))


class StatementTooLargeError(UnsupportedModelError):
    """Even one summand per batch exceeds the dialect's budget (a refusal the CLI prints as one block)."""


def fit_to_budget(
    build: Callable[[int], SplitStatement],
    dialect: str,
    budget: int | None,
    summands: int,
    size: int,
    least: int = 2,
) -> tuple[tuple[list[str], str], int, int]:
    """The fewest batches (a power of two, at least `least`, from the first that could fit: size /
    budget) whose every statement fits the text budget (None: any size): the printed (batch
    statements, final statement), how many batches, and the largest statement's size."""
    batches = max(least, 2)
    while budget is not None and batches * budget < size:
        batches *= 2
    while True:
        split = build(batches)
        parts, final = split.sql(dialect)
        largest = max(text_size(text, dialect) for text in [*parts, final])
        if budget is None or largest <= budget:
            return (parts, final), len(split.parts), largest
        if batches >= summands:
            raise StatementTooLargeError(
                f"a {dialect} statement of a single batch is {largest:,} long, over the budget of {budget:,}"
            )
        batches *= 2
