"""`leadscore --help` that reads well at any width.

typer (0.29, rich mode) keeps a docstring's line breaks in the list of commands, so a summary
wrapped at 100 characters in the source leaves orphan words on an 80-column terminal; it also
prints a flag's type (`--debug <bool>`), which says nothing a flag's name does not. Both are
settled here, once, for every command."""

from __future__ import annotations

import inspect

import typer
from typer.core import TyperOption


def one_line_summaries(*apps: typer.Typer) -> None:
    """Each command's summary in the list of commands: its docstring's first paragraph on one line,
    so rich wraps it to the terminal."""
    for app in apps:
        for command in app.registered_commands:
            if command.short_help is None and command.callback is not None and command.callback.__doc__:
                first_paragraph = inspect.cleandoc(command.callback.__doc__).split("\n\n")[0]
                command.short_help = " ".join(first_paragraph.split())


_display_type_rich = TyperOption.display_type_rich


def _no_type_for_flags(self: TyperOption, ctx) -> str | None:
    return None if self.is_flag else _display_type_rich(self, ctx)


def no_type_for_flags() -> None:
    """--debug, --version, --help and every other flag are listed without `<bool>`."""
    TyperOption.display_type_rich = _no_type_for_flags
