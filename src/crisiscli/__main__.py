"""``python -m crisiscli``: the same as the ``crisis`` command."""

from crisiscli.cli import main

main()
