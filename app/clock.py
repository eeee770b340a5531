"""The one source of 'now' (aware UTC); services take it as a parameter."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
