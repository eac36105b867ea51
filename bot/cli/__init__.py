"""`geoalert` command line: one small function per command; output goes to stdout."""

from bot.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
