"""Persistence for geoalert: SQLModel tables, engine factory, migrations and query functions.

Nothing here knows about Telegram; callers own their sessions.
"""

from storage.engine import make_engine, session_scope
from storage.migrate import upgrade

__all__ = ["make_engine", "session_scope", "upgrade"]
