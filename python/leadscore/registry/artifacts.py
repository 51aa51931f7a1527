"""A model version is a folder: the fitted estimator, its SQL for every dialect, its metadata,
metrics and model card. Everything needed to serve, audit or roll back to it."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
from dataclasses import dataclass
from importlib import metadata as package_metadata
from pathlib import Path

import joblib
import pandas as pd

from leadscore.paths import artifacts_dir
from leadscore.registry.errors import RegistryError
from leadscore.transpile.query import DIALECTS
from leadscore.transpile.statements import COMPARISON_KIND

LIBRARIES = ("scikit-learn", "numpy", "pandas", "scipy", "m2cgen", "sqlglot", "dbt-core", "duckdb")


SQL_KINDS = ("score", "contributions")  # every version has these
OPTIONAL_SQL_KINDS = (COMPARISON_KIND,)  # a tree model served with Shapley reasons keeps Saabas ones too
BASELINE_FILE = "baseline.json"
# Written last, over every other file of the version: a folder without it was never finished.
CHECKSUM_FILE = "checksums.json"
INCOMPLETE_PREFIX = ".incomplete-"
# A model id is a plain name (family_hash); anything else (a path, `..`) is refused before any lookup.
MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


def sql_file_name(dialect: str, kind: str) -> str:
    return f"{dialect}.sql" if kind == "score" else f"{dialect}.{kind}.sql"


def models_dir() -> Path:
    return artifacts_dir() / "models"


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class ModelVersion:
    model_id: str
    folder: Path

    @property
    def metadata(self) -> dict:
        return read_json_file(self.folder / "metadata.json")

    @property
    def metrics(self) -> dict:
        return read_json_file(self.folder / "metrics.json")

    def sql(self, dialect: str, kind: str = "score") -> str:
        """kind: "score" (probability) or "contributions" (per-feature log-odds contributions)."""
        return (self.folder / "sql" / sql_file_name(dialect, kind)).read_text()

    @property
    def sql_kinds(self) -> tuple[str, ...]:
        """The kinds of SQL saved: SQL_KINDS, and each optional kind this version has."""
        present = (
            k for k in OPTIONAL_SQL_KINDS if (self.folder / "sql" / sql_file_name(DIALECTS[0], k)).exists()
        )
        return (*SQL_KINDS, *present)

    def split_sql(self, dialect: str, kind: str = "score") -> tuple[list[str], str] | None:
        """(batch statements, final statement) when the dialect's statement was split, else None."""
        stem = sql_file_name(dialect, kind).removesuffix(".sql")
        final = self.folder / "sql" / f"{stem}.final.sql"
        if not final.exists():
            return None
        parts = []
        while (path := self.folder / "sql" / f"{stem}.part{len(parts)}.sql").exists():
            parts.append(path.read_text().split("\n", 1)[1].rstrip("\n"))
        return parts, final.read_text().split("\n", 1)[1].rstrip("\n")

    def load_estimator(self):
        try:
            return joblib.load(self.folder / "model.joblib")
        except Exception as error:  # joblib raises whatever unpickling a damaged file raises
            raise RegistryError(
                f"{self.folder / 'model.joblib'} cannot be loaded ({type(error).__name__}: {error}); "
                f"retrain, or promote another version (`leadscore models list`)"
            ) from error

    def problems(self) -> list[str]:
        """What is wrong with the files on disk against the checksums recorded when it was saved."""
        return checksum_problems(self.folder)

    @property
    def baseline(self) -> pd.DataFrame | None:
        """The training-time bins and shares monitoring compares against (None for older versions)."""
        path = self.folder / BASELINE_FILE
        return pd.DataFrame(json.loads(path.read_text())) if path.exists() else None


def save_model_version(
    model_id: str,
    estimator: object,
    sql_by_kind: dict[str, dict[str, str]],
    metadata: dict,
    metrics: dict,
    model_card: str,
    root: Path | None = None,
    baseline: pd.DataFrame | None = None,
    split_sql: dict[str, dict[str, tuple[list[str], str]]] | None = None,
) -> ModelVersion:
    """split_sql: kind -> dialect -> (batch statements, final statement), for the statements over a
    dialect's size budget (transpile/budgets.py)."""
    check_model_id(model_id)
    final_folder = (root or models_dir()) / model_id
    # Everything is written into a hidden folder and renamed into place once complete, so an
    # interrupted train leaves an .incomplete- folder (`leadscore models clean`), never a half version.
    folder = final_folder.parent / f"{INCOMPLETE_PREFIX}{model_id}-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "sql").mkdir(parents=True)
    joblib.dump(estimator, folder / "model.joblib", compress=3)
    for kind, by_dialect in sql_by_kind.items():
        for dialect, text in by_dialect.items():
            header = f"-- generated by `leadscore train` for model {model_id} ({kind}); do not edit\n"
            (folder / "sql" / sql_file_name(dialect, kind)).write_text(header + text + "\n")
    for kind, by_dialect in (split_sql or {}).items():
        for dialect, (parts, final) in by_dialect.items():
            stem = sql_file_name(dialect, kind).removesuffix(".sql")
            for index, text in enumerate([*parts, final]):
                name = f"{stem}.part{index}.sql" if index < len(parts) else f"{stem}.final.sql"
                header = (
                    f"-- generated by `leadscore train` for model {model_id} ({kind}, split); do not edit\n"
                )
                (folder / "sql" / name).write_text(header + text + "\n")
    (folder / "metadata.json").write_text(
        json.dumps({**metadata, "libraries": library_versions()}, indent=2, default=str)
    )
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str))
    (folder / "model_card.md").write_text(model_card)
    if baseline is not None:
        records = baseline.astype(object).where(baseline.notna(), None).to_dict(orient="records")
        (folder / BASELINE_FILE).write_text(json.dumps(records, indent=1) + "\n")
    (folder / CHECKSUM_FILE).write_text(json.dumps(file_checksums(folder), indent=1, sort_keys=True) + "\n")
    if final_folder.exists():  # the same data and settings again: the same id, replaced whole
        replaced = final_folder.parent / f"{INCOMPLETE_PREFIX}{model_id}-replaced-{os.getpid()}"
        final_folder.rename(replaced)
        folder.rename(final_folder)
        shutil.rmtree(replaced)
    else:
        folder.rename(final_folder)
    return ModelVersion(model_id, final_folder)


def read_json_file(path: Path) -> dict:
    """A JSON object from a file the registry wrote; a missing, truncated or edited file is named."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise RegistryError(f"{path} is missing; retrain, or restore it from a backup") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise RegistryError(
            f"{path} is not valid JSON ({error}); it was truncated or edited. Nothing was changed. "
            "Restore it from a backup or version control, or retrain."
        ) from None
    if not isinstance(data, dict):
        raise RegistryError(f"{path} holds {type(data).__name__}, not a JSON object; restore it or retrain")
    return data


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_checksums(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file of a version folder but the checksum file itself."""
    return {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != CHECKSUM_FILE
    }


def checksum_problems(folder: Path) -> list[str]:
    path = folder / CHECKSUM_FILE
    if not path.exists():
        return [
            f"no {CHECKSUM_FILE}: the version was never finished (an interrupted train) or was saved by hand"
        ]
    try:
        recorded = json.loads(path.read_text())
        if not isinstance(recorded, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError) as error:
        return [f"{CHECKSUM_FILE} is unreadable ({error})"]
    actual = file_checksums(folder)
    problems = [f"{name} is missing" for name in sorted(set(recorded) - set(actual))]
    problems += [
        f"{name} changed since it was saved (sha256 differs)"
        for name in sorted(set(recorded) & set(actual))
        if recorded[name] != actual[name]
    ]
    problems += [f"{name} was added after it was saved" for name in sorted(set(actual) - set(recorded))]
    return problems


def check_model_id(model_id: str) -> str:
    if not MODEL_ID.fullmatch(model_id):
        raise RegistryError(
            f"{model_id!r} is not a model id: ids are plain names such as lightgbm_a1fe04d269, looked up "
            "only inside the registry's models folder. `leadscore models list` shows them."
        )
    return model_id


def known_model_ids(root: Path | None = None) -> list[str]:
    folder = root or models_dir()
    return sorted(p.name for p in folder.glob("*") if p.is_dir() and MODEL_ID.fullmatch(p.name))


def incomplete_folders(root: Path | None = None) -> list[Path]:
    """Version folders an interrupted train left behind, or folders that are not finished versions."""
    folder = root or models_dir()
    return sorted(
        path
        for path in folder.glob("*")
        if path.is_dir() and (path.name.startswith(INCOMPLETE_PREFIX) or not (path / CHECKSUM_FILE).exists())
    )


def load_model_version(model_id: str, root: Path | None = None, verify: bool = True) -> ModelVersion:
    """The saved version, refused with a RegistryError when the id is not a plain name, the folder is
    not there, or (verify) a file differs from the checksums recorded when it was saved."""
    folder = (root or models_dir()) / check_model_id(model_id)
    if not (folder / "metadata.json").exists():
        known = ", ".join(known_model_ids(root)) or "none"
        raise RegistryError(
            f"no model version {model_id!r} in {folder.parent} (known: {known}). "
            "`leadscore models list` shows the saved versions."
        )
    missing = [
        sql_file_name(d, k)
        for d in DIALECTS
        for k in SQL_KINDS
        if not (folder / "sql" / sql_file_name(d, k)).exists()
    ]
    if missing:
        raise RegistryError(f"model version {model_id} in {folder} lacks SQL for {missing}; retrain it")
    version = ModelVersion(model_id, folder)
    problems = version.problems() if verify else []
    if problems:
        raise RegistryError(
            f"model version {model_id} in {folder} is damaged: {'; '.join(problems)}. Nothing was changed. "
            "Retrain, promote another version (`leadscore models list`), or restore the folder from a backup."
        )
    return version
