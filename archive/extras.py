"""Optional dependencies (pip extras): import one, or fail with the one line that says how to install it."""

from __future__ import annotations

import importlib
from types import ModuleType

from archive.errors import ArchiveError


class MissingExtra(ArchiveError):
    """An optional feature whose package is not installed (a setup error: the CLI exits 2)."""


def require(module: str, extra: str, feature: str) -> ModuleType:
    """`import module`, or MissingExtra naming the extra to install for `feature`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{feature} needs {module.split('.')[0]}, which is not installed; "
                           f"pip install 'newsarchive[{extra}]'") from None
