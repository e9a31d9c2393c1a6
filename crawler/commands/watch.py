"""`newsarchive watch`: crawl again and again on a fixed period, for a service manager; stops gracefully."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from crawler.commands import UsageError
from crawler.commands.crawl import add_crawl_options, crawl_argv
from crawler.commands.validate import check_new_db

EXIT_USAGE, EXIT_LOCKED = 2, 75
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def period(value: str) -> float:
    """`90s`, `15m`, `2h`, `1d` (a bare number is minutes) as seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"expected a period like 90s, 15m, 2h, 1d; got {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2) or "m"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("watch", help="run a crawl every period (for systemd or supervisord)",
                       description="Runs `newsarchive crawl` with the given options every --every period, each "
                       "crawl in its own process. SIGINT or SIGTERM lets the running crawl finish the pages in "
                       "hand (recorded as interrupted) and then stops; a second one stops the crawl at once. A crawl refused because another one "
                       "holds the archive is skipped, not fatal; one refusing its options (exit 2) stops watch "
                       "with exit 2, as do options found wrong before the first crawl.")
    p.add_argument("--every", type=period, default=period("15m"), metavar="PERIOD",
                   help="time from the start of one crawl to the start of the next (default: 15m)")
    p.add_argument("--max-runs", type=int, default=0, metavar="N", help="stop after N crawls (0: never)")
    add_crawl_options(p)
    p.set_defaults(run=run)


class _Stop:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self.child: subprocess.Popen[bytes] | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        first = self.signum is None
        self.signum = self.signum or signum
        self.event.set()
        if self.child is not None and self.child.poll() is None:
            # The crawl's own handler (crawler/interrupts.py): the first SIGTERM finishes the pages in
            # hand and records "interrupted"; a second one stops it at once.
            self.child.send_signal(signal.SIGTERM)
            if first:
                again = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
                # os.write, not print: a handler may interrupt a print to the same stream.
                os.write(2, f"watch: stopping after the running crawl ({again} again to stop it now)\n".encode())


def check_options(args: argparse.Namespace) -> None:
    """What the child crawls would refuse, refused once here (exit 2) instead of once per period forever."""
    if args.max_runs < 0:
        raise UsageError("--max-runs must be 0 (forever) or more")
    if args.max_pages is not None and args.max_pages < 0:
        raise UsageError("--max-pages must be 0 (no limit) or more")
    from crawler.commands.crawl import crawl_job
    from crawler.config import check_values
    from crawler.runner import build_settings, check_job, job_settings

    # The same checks as `crawl` makes before it starts: site, editions, base URL, `-s` values.
    settings = build_settings({}, args.log_level)
    job = crawl_job(args)
    check_values(job_settings(settings, job), job.settings)
    check_new_db(check_job(settings, job).db)


def run(args: argparse.Namespace) -> int:
    check_options(args)
    stop = _Stop()
    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return loop(args, stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def loop(args: argparse.Namespace, stop: _Stop) -> int:
    argv = [sys.executable, "-m", "crawler.cli", "crawl", *crawl_argv(args)]
    runs = failures = 0
    while not stop.event.is_set():
        started = time.monotonic()
        runs += 1
        print(f"{datetime.now(UTC).isoformat(timespec='seconds')} watch: crawl {runs} starting", flush=True)
        # Its own session: a Ctrl-C on the terminal reaches only us, and we pass on one SIGTERM.
        stop.child = subprocess.Popen(argv, start_new_session=True)
        code = stop.child.wait()
        stop.child = None
        note = {0: "done", EXIT_LOCKED: "skipped: another crawl holds the archive"}.get(code, f"exit {code}")
        failures += code not in (0, EXIT_LOCKED, 130)
        print(f"{datetime.now(UTC).isoformat(timespec='seconds')} watch: crawl {runs} {note}", flush=True)
        if code == EXIT_USAGE:
            # The next crawl would be refused just the same: looping would only fill the log.
            print("newsarchive: watch: the crawl refused its options (see above); stopping", file=sys.stderr)
            return EXIT_USAGE
        if args.max_runs and runs >= args.max_runs:
            break
        stop.event.wait(max(0.0, args.every - (time.monotonic() - started)))
    if stop.signum is not None:
        print(f"watch: stopped by {signal.Signals(stop.signum).name} after {runs} crawl(s)", flush=True)
        return 130 if stop.signum == signal.SIGINT else 0
    return 1 if failures == runs and runs else 0
