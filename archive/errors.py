"""The archive's exceptions: one line each, naming what the user can fix."""


class ArchiveError(Exception):
    """The archive cannot be opened or written (bad path, not a database, newer schema, unknown crawl)."""


class QueryError(ArchiveError, ValueError):
    """A search query that is empty or malformed; the message says what is wrong with it."""
