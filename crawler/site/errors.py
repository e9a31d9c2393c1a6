"""The one error type of site profiles: every problem is one line naming the file and the key."""

from __future__ import annotations


class SiteError(ValueError):
    """A site that cannot be loaded, or a request it cannot serve (unknown edition, bad base URL).

    `problems` lists every problem found (`site check` prints them all); str() is the first one.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        first = self.problems[0] if self.problems else "invalid site"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' if more > 1 else ''}: run `newsarchive site "
                                  f"check` on the file)" if more else ""))
