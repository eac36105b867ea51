"""`geoalert` command line: one small function per command; output goes to stdout.

Importing this package imports nothing else: a parsing process started with "spawn" imports
the program's main module again (the `geoalert` script imports `main` from here), and should
pay for the parser only, not for the whole command line.
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    """Run the `geoalert` command line (see `bot.cli.app`)."""
    from bot.memory import exit_without_collecting, map_large_allocations

    map_large_allocations()  # first: before the imports and start-up allocate
    exit_without_collecting()
    from bot.cli.app import main as run

    return run(argv)


def build_parser() -> argparse.ArgumentParser:
    """The `geoalert` argument parser (see `bot.cli.app`)."""
    from bot.cli.app import build_parser as build

    return build()
