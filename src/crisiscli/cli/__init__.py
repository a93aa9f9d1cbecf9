"""The command line: the only package that imports typer.

Commands parse arguments, call the core and print; they never compute.
"""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``crisis`` console script."""
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from crisiscli.cli.app import app  # noqa: PLC0415

    try:
        app(prog_name="crisis")
    except BrokenPipeError:
        # The reader went away (`crisis status | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
