"""The command line: the only package that imports typer.

Commands parse arguments, call the core and print; they never compute.
"""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``crisis`` console script."""
    from crisiscli.cli.app import app  # noqa: PLC0415

    app(prog_name="crisis")
