"""Write a file so that readers see the old file or the new one, whole, never a part (temp file, fsync, rename)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside `path` to write to; on success it is fsynced and renamed over `path`.

    On any exception (Ctrl-C included) the temporary file is removed and `path` is left as it was.
    A kill -9 can leave the hidden `.NAME.*.part` file, never a partial `path`."""
    if direct(path):
        yield Path(path)  # /dev/stdout, a FIFO: nothing to replace, written as it comes
        return
    target = Path(os.path.realpath(path))  # through a symlink: replace its target, keep the link
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        yield tmp
        _fsync(tmp)
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)  # replacing a file keeps its permissions
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """`open(path, mode)` written through atomic_path(); mode "w" or "wb"."""
    with atomic_path(path) as tmp:
        # O_EXCL: never follow a planted file or symlink; 0o666 minus the umask, as open() would.
        flags = os.O_WRONLY | (os.O_TRUNC if direct(path) else os.O_CREAT | os.O_EXCL)
        fd = os.open(tmp, flags, 0o666)
        with open(fd, mode, **kwargs) as out:
            yield out


def direct(path: str | os.PathLike[str]) -> bool:
    """Paths written in place: devices and pipes (/dev/stdout, a FIFO), which cannot be replaced."""
    if os.fspath(path).startswith(("/dev/", "/proc/")):
        return True
    return os.path.exists(path) and not os.path.isfile(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a folder; the rename itself is still atomic
    finally:
        os.close(fd)
