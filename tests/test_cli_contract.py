"""The command line's contract at its edges: each case its exit code and its exact one-line message.

In-process (`crawler.cli.main`) wherever no reactor runs, so each case costs milliseconds, not seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.store import Archive
from crawler.cli import main
from tests.conftest import run_cli
from tests.test_archive import make_item, observation

AR = "kurdistan24:ar:100001"
CKB = "kurdistan24:ckb:100050"
BLOCKED = "kurdistan24:ar:100099"
BLOCKED_URL = "https://www.kurdistan24.net/ar/story/100099/special-report"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An archive with an edited Arabic article (2 versions), a Sorani one, and a page only ever blocked."""
    path = str(tmp_path / "archive.db")
    with Archive(path) as archive:
        crawl = archive.start_crawl("kurdistan24", ["ar", "ckb"], None)
        archive.record_article(crawl, make_item())
        archive.record_article(crawl, make_item(CKB, title="هەواڵێکی نوێ لە هەولێر", edition="ckb"))
        archive.record_article(crawl, make_item(title="وفد من الحكومة الاتحادية يصل إلى أربيل مساء",
                                                fetched_at="2024-01-16T09:00:00+00:00"))
        archive.record_observation(crawl, observation("blocked", BLOCKED, url=BLOCKED_URL, fetched_url=BLOCKED_URL,
                                                      reason='challenge page: "Just a moment..."', http_status=503))
        archive.finish_crawl(crawl)
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `newsarchive ARGS` run in this process."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- silent empty answers are now usage errors (exit 2, one line) --------------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (["edits", "--since", "garbage"],
     "newsarchive: --since expects a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM], got 'garbage'\n"),
    (["edits", "--since", "2026-13-45"], "newsarchive: --since '2026-13-45' is not a real date "
                                         "(month must be in 1..12)\n"),
    (["edits", "--until", "2026-02-30"], "newsarchive: --until '2026-02-30' is not a real date "
                                         "(day is out of range for month)\n"),
    (["edits", "--since", "2024-02-01", "--until", "2024-01-01"],
     "newsarchive: --since 2024-02-01 is after --until 2024-01-01: nothing can match\n"),
    (["edits", "--lang", "xx"], "newsarchive: --lang: unknown edition 'xx' (this archive has: ar, ckb)\n"),
    (["reextract", "--since", "garbage"],
     "newsarchive: --since expects a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM], got 'garbage'\n"),
    (["reextract", "--key", "nosuch:key"], "newsarchive: --key 'nosuch:key': no such article in the archive "
                                           "(keys look like kurdistan24:ar:100001)\n"),
    (["reextract", "--key", "kurdistan24:ar:1"], "newsarchive: --key 'kurdistan24:ar:1': no such article in the "
                                                 "archive\n"),
    (["export", "--since", "last week"], "newsarchive: --since expects a date as YYYY-MM-DD, got 'last week'\n"),
    (["export", "--until", "2024-02-30"], "newsarchive: --until '2024-02-30' is not a real date "
                                          "(day is out of range for month)\n"),
    (["export", "--lang", "xx"], "newsarchive: --lang: unknown edition 'xx' (this archive has: ar, ckb)\n"),
    (["export", "--key", "nosuch"], "newsarchive: --key 'nosuch': no such article in the archive "
                                    "(keys look like kurdistan24:ar:100001)\n"),
    (["export", "--key", "other:*"], "newsarchive: --key 'other:*': the archive holds no article of site 'other'\n"),
    (["diff", AR, "--from", "0"], "newsarchive: --from 0: versions are numbered from 1 (or -1 for the latest)\n"),
    (["diff", AR, "--to", "3"], "newsarchive: --to 3: the article has 2 version(s)\n"),
    (["diff", AR, "--from", "2", "--to", "1"],
     "newsarchive: --from must be an older version than --to: cannot diff 2 -> 1\n"),
    (["diff", CKB], f"newsarchive: {CKB} has only 1 version(s): nothing to diff\n"),
    (["diff", BLOCKED], f"newsarchive: {BLOCKED} was fetched but never archived: no versions "
                        f"(`newsarchive history {BLOCKED}` shows its fetches)\n"),
    (["history", "kurdistan24:ar:424242"],
     "newsarchive: no article 'kurdistan24:ar:424242' in the archive (nor any fetch of it)\n"),
])
def test_bad_values_are_one_line_usage_errors(capsys, db, args, message):
    assert cli(capsys, *args, "--db", db) == (2, "", message)


def test_valid_values_still_answer(capsys, db):
    code, out, err = cli(capsys, "edits", "--db", db, "--since", "2024-01-16T11:00+03:00", "--json")
    assert (code, err) == (0, "")
    assert [(r["key"], r["version"]) for r in json.loads(out)] == [(AR, 2)]
    # An hour later (UTC+3) the edit is before the window: an honest empty answer, exit 0.
    assert cli(capsys, "edits", "--db", db, "--since", "2024-01-16T13:00+03:00") == (0, "0 edit(s)\n", "")
    # An edition alias is its edition; an edition the site has but the archive does not yet is no typo.
    assert cli(capsys, "edits", "--db", db, "--lang", "so")[:2] == (0, "0 edit(s)\n")
    assert cli(capsys, "edits", "--db", db, "--edition", "fa")[:2] == (0, "0 edit(s)\n")
    code, out, err = cli(capsys, "export", "--db", db, "--key", "kurdistan24:ckb:*")
    assert (code, err) == (0, "")
    assert [json.loads(line)["key"] for line in out.splitlines()] == [CKB]
    code, out, _ = cli(capsys, "diff", AR, "--db", db, "--from", "-2", "--to", "-1", "--color", "never")
    assert (code, out.splitlines()[0]) == (0, f"{AR}: version 1 -> 2")


def test_one_name_per_concept_in_exports(capsys, db):
    """`edition` in exports as in search results and the database (it was `lang` in exports only)."""
    code, out, _ = cli(capsys, "export", "--db", db, "--edition", "ckb")
    record = json.loads(out)
    assert (code, record["edition"], "lang" in record) == (0, "ckb", False)


# --- history and diff find an article by any URL of it -------------------------------------------
@pytest.mark.parametrize(("ref", "key"), [
    ("http://127.0.0.1:8765/ar/story/100001/any-slug", AR),  # a local mirror (--base-url) of the site
    ("http://127.0.0.1:8765/mirror/ar/story/100001", AR),  # a mirror under a path prefix
    ("https://www.kurdistan24.net/so/story/100050/x", CKB),  # the edition's older alias (so -> ckb)
    ("https://www.kurdistan24.net/public/index.php/ar/story/100001-old-slug", AR),  # an older URL generation
])
def test_history_resolves_mirror_and_alias_urls(capsys, db, ref, key):
    code, out, err = cli(capsys, "history", ref, "--db", db, "--json")
    assert (code, err, json.loads(out)["article"]["key"]) == (0, "", key)


def test_history_trusts_only_mirrors_it_crawled_or_loopback(capsys, db):
    foreign = "https://example.com/ar/story/100001/x"
    assert cli(capsys, "history", foreign, "--db", db) == (
        2, "", f"newsarchive: no article '{foreign}' in the archive (nor any fetch of it)\n")
    with Archive(db) as archive:  # a crawl of a mirror on another machine, under a path prefix
        archive.finish_crawl(archive.start_crawl("kurdistan24", ["ar"], "http://mirror.example:8000/k24"))
    code, out, _ = cli(capsys, "history", "http://mirror.example:8000/k24/ar/story/100001/x", "--db", db, "--json")
    assert (code, json.loads(out)["article"]["key"]) == (0, AR)


def test_history_of_a_page_only_ever_blocked_shows_its_fetches(capsys, db):
    code, out, err = cli(capsys, "history", BLOCKED_URL, "--db", db)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{BLOCKED}  never archived: fetched 1 time(s), no version stored",
        f"  {BLOCKED_URL}",
        "events:",
        '  2024-01-16T08:00:00+00:00  crawl 1  blocked HTTP 503: challenge page: "Just a moment..."',
    ]
    data = json.loads(cli(capsys, "history", BLOCKED, "--db", db, "--json")[1])
    assert (data["article"], data["key"], [e["outcome"] for e in data["events"]]) == (None, BLOCKED, ["blocked"])


# --- setup errors before anything runs ------------------------------------------------------------
def test_crawl_refuses_a_db_in_a_missing_folder(capsys, tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "x.db"
    assert cli(capsys, "crawl", "--db", str(target)) == (
        2, "", f"newsarchive: --db {target}: folder {target.parent} does not exist (create it first)\n")
    assert not (tmp_path / "nonexistent").exists()  # no folders created, no lock file left


def test_bad_log_level_is_one_line(capsys, tmp_path):
    assert cli(capsys, "crawl", "--db", str(tmp_path / "a.db"), "--log-level", "LOUD") == (
        2, "", "newsarchive crawl: argument --log-level: expected one of CRITICAL, ERROR, WARNING, INFO, DEBUG, "
               "got 'LOUD' (see `newsarchive crawl --help`)\n")


def test_usage_mistakes_are_one_line(capsys):
    assert cli(capsys, "diff") == (2, "", "newsarchive diff: the following arguments are required: KEY|URL "
                                          "(see `newsarchive diff --help`)\n")
    code, out, err = cli(capsys)
    assert (code, out, err.splitlines()[0]) == (2, "", "usage: newsarchive [-h] [--version] COMMAND ...")


def test_version(capsys):
    import platform

    code, out, err = cli(capsys, "--version")
    assert (code, err) == (0, "")
    assert out.startswith("newsarchive 0.1.0 (Python ") and f"Python {platform.python_version()}, Scrapy 2." in out


def test_watch_checks_its_options_once(capsys, tmp_path):
    assert cli(capsys, "watch", "--site", "nosuch", "--db", str(tmp_path / "a.db")) == (
        2, "", "newsarchive: unknown site 'nosuch' (known: kurdistan24, rudaw, generic; or a path to a profile .toml)\n")
    assert cli(capsys, "watch", "--lang", "zz", "--db", str(tmp_path / "a.db")) == (
        2, "", "newsarchive: unknown edition 'zz' for site kurdistan24 (known: ar, ckb, en, fa, kmr, tr)\n")


def test_watch_stops_when_a_crawl_refuses_its_options(capsys, tmp_path):
    """A child crawl exiting 2 (here: the --db is no SQLite file) would exit 2 every period: watch stops."""
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("not a database\n" * 200)
    code, out, err = cli(capsys, "watch", "--every", "1s", "--db", str(not_a_db), "--max-pages", "1")
    assert code == 2
    assert out.splitlines()[0].endswith("watch: crawl 1 starting") and out.splitlines()[1].endswith("crawl 1 exit 2")
    assert err.endswith("newsarchive: watch: the crawl refused its options (see above); stopping\n")
    assert not_a_db.read_text() == "not a database\n" * 200


def test_demo_refuses_to_overwrite_an_archive_of_real_crawls(capsys, db):
    before = Path(db).read_bytes()
    assert cli(capsys, "demo", "--db", db) == (2, "", f"newsarchive: {db} is not a demo archive (it holds other "
                                                      "crawls or data): not overwriting it; pass another --db\n")
    assert Path(db).read_bytes() == before


def test_demo_ends_with_three_commands_that_work(tmp_path):
    db = tmp_path / "demo.db"
    proc = run_cli("demo", "--db", str(db))
    assert proc.returncode == 0, proc.stderr[-2000:]
    tail = proc.stdout.splitlines()[-5:]
    assert tail == [
        f"Try on this archive ({db}):",
        f"  newsarchive edits --db {db}",
        f"  newsarchive diff kurdistan24:ar:100003 --db {db}",
        f"  newsarchive search 'مطار أربيل' --db {db}",
        f"Or `export NEWSARCHIVE_DB={db}` and leave out --db (the README's examples too).",
    ]
    # Each printed command runs and finds what the demo's day 2 changed.
    assert main(["edits", "--db", str(db), "--json"]) == 0
    assert main(["diff", "kurdistan24:ar:100003", "--db", str(db), "--json"]) == 0
    assert main(["search", "مطار أربيل", "--db", str(db), "--json"]) == 0
    # Running the demo again recreates its own archive (it is a demo archive).
    assert run_cli("demo", "--db", str(db), "--json").returncode == 0


def test_after_the_demo_a_query_without_db_points_at_the_demo_archive(capsys, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSARCHIVE_DB", raising=False)
    Path(db).rename(tmp_path / "newsarchive-demo.db")
    assert cli(capsys, "stats") == (2, "", "newsarchive: no archive at newsarchive.db (the demo's is "
                                           "newsarchive-demo.db: pass --db newsarchive-demo.db or set "
                                           "NEWSARCHIVE_DB=newsarchive-demo.db)\n")
    monkeypatch.setenv("NEWSARCHIVE_DB", "newsarchive-demo.db")
    code, out, _ = cli(capsys, "stats")
    # One word per concept in text: a fetch that made a new version is "edited", as in the crawl summary.
    assert code == 0 and "fetches: 1 blocked, 2 new, 1 edited" in out.splitlines()


def test_edits_until_a_day_includes_that_day(capsys, db):
    """As in export and search: --since D --until D is that whole day, not an empty window."""
    code, out, _ = cli(capsys, "edits", "--db", db, "--since", "2024-01-16", "--until", "2024-01-16", "--json")
    assert (code, [r["version"] for r in json.loads(out)]) == (0, [2])
    assert cli(capsys, "edits", "--db", db, "--until", "2024-01-15")[:2] == (0, "0 edit(s)\n")
    code, out, _ = cli(capsys, "edits", "--db", db, "--until", "2024-01-16T09:00:01", "--json")
    assert (code, len(json.loads(out))) == (0, 1)


def test_unknown_command_suggests_the_close_one(capsys):
    assert cli(capsys, "serach", "x") == (2, "", "newsarchive: unknown command 'serach'; did you mean 'search'? "
                                                "(see `newsarchive --help`)\n")
    assert cli(capsys, "zzzz") == (2, "", "newsarchive: unknown command 'zzzz' (see `newsarchive --help`)\n")


def test_an_empty_archive_reads_cleanly(capsys, tmp_path):
    db = str(tmp_path / "empty.db")
    Archive(db).close()
    code, out, err = cli(capsys, "stats", "--db", db)
    assert (code, err, out.splitlines()[:4]) == (0, "", ["articles: 0", "versions: 0 (0 article(s) edited at least once)",
                                                        "duplicates: 0", "fetches: none"])
    assert cli(capsys, "history", " ", "--db", db) == (
        2, "", "newsarchive: history needs an article key (kurdistan24:ar:100001), id or URL\n")


def test_crawl_refuses_a_folder_as_db(capsys, tmp_path):
    assert cli(capsys, "crawl", "--db", str(tmp_path)) == (
        2, "", f"newsarchive: --db {tmp_path}: is a folder; give a file path like {tmp_path / 'newsarchive.db'}\n")
    assert cli(capsys, "demo", "--db", str(tmp_path / "no" / "d.db")) == (
        2, "", f"newsarchive: --db {tmp_path / 'no' / 'd.db'}: folder {tmp_path / 'no'} does not exist (create it first)\n")


def test_migrate_of_a_missing_archive_creates_nothing(capsys, tmp_path):
    missing = tmp_path / "none.db"
    assert cli(capsys, "migrate", "--db", str(missing)) == (
        2, "", f"newsarchive: no archive at {missing} (crawl first, or pass --db PATH)\n")
    assert list(tmp_path.iterdir()) == []  # the lock is taken only after the check: no empty file left
