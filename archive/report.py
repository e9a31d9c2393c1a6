"""`newsarchive report`: one self-contained right-to-left HTML page (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from archive.report_data import FIRST_EDIT_BUCKETS, day_axis, gather
from archive.svg import Slot, bar_chart, legend

EDITION_NAMES = {"ar": "العربية", "ckb": "الكردية (سوراني)", "kmr": "الكردية (كرمانجي)", "fa": "الفارسية",
                 "tr": "التركية", "en": "الإنجليزية"}
CSS = """
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic","DejaVu Sans",Tahoma,sans-serif;margin:0;background:#f6f7f9;
color:#1a202c;line-height:1.6}
main{max-width:1160px;margin:0 auto;padding:24px}
h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:32px 0 8px;border-bottom:2px solid #cbd5e0}
h3{font-size:17px;margin:20px 0 6px}
.meta,.note{color:#4a5568;font-size:14px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:26px}
section.panel{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:8px 16px 12px;margin:16px 0}
svg.chart{max-width:100%;height:auto;font-size:12px}
.grid{stroke:#e2e8f0}.axis{stroke:#4a5568}.tick,.label,.unit{fill:#4a5568}.empty{fill:#718096;font-size:15px}.value{fill:#1a202c;font-weight:bold}
.gap{fill:#a0aec0;font-size:22px}
.ed-0{fill:#2b6cb0}.ed-1{fill:#d69e2e}.ed-2{fill:#319795}.ed-3{fill:#97266d}.ed-4{fill:#718096}
.edit{fill:#805ad5}.delay{fill:#3182ce}.ok{fill:#38a169}.failed{fill:#e53e3e}.blocked{fill:#dd6b20}
.legend span{margin-inline-end:16px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #e2e8f0;padding:6px 8px;text-align:start}
th{background:#edf2f7}
del{background:#fed7d7;color:#9b2c2c}ins{background:#c6f6d5;color:#22543d;text-decoration:none}
.diff p{margin:4px 0}.diff .field{color:#4a5568;font-weight:bold}
a.url{word-break:break-all}
code,bdi.ltr{direction:ltr;unicode-bidi:isolate;font-family:"DejaVu Sans Mono",monospace;font-size:13px}
"""


def _ltr(text: Any) -> str:
    """Keys, URLs and dates keep their own left-to-right order inside the RTL page."""
    return f'<bdi class="ltr" dir="ltr">{escape(str(text))}</bdi>'


def ops_html(ops: Sequence[Sequence[str]]) -> str:
    """A word diff as text with <del> and <ins> (logical order; the browser's bidi does the rest)."""
    parts = []
    for op, text in ops:
        if op == "equal":
            parts.append(escape(text))
        else:
            tag = "del" if op == "delete" else "ins"
            core = text.rstrip()
            parts.append(f"<{tag}>{escape(core)}</{tag}>{escape(text[len(core):])}")
    return "".join(parts)


def _day_slots(per_day: dict[str, list[tuple[float, str, str]]]) -> list[Slot]:
    slots = []
    for day in day_axis(list(per_day)):
        if isinstance(day, int):
            slots.append(Slot("", gap=f"{day} يوماً بلا بيانات"))
        else:
            slots.append(Slot(day, per_day.get(day, [])))
    return slots


def charts(data: dict[str, Any]) -> dict[str, str]:
    """The four charts as SVG strings, keyed by name."""
    editions = {e: i for i, e in enumerate(data["editions"])}
    per_day: dict[str, list[tuple[float, str, str]]] = {}
    for row in data["articles_per_day"]:
        name = EDITION_NAMES.get(row["edition"], row["edition"])
        per_day.setdefault(row["day"], []).append(
            (row["n"], f"ed-{min(editions[row['edition']], 4)}", f"{row['day']}: {row['n']} ({name})"))
    edits = {r["day"]: [(r["n"], "edit", f"{r['day']}: {r['n']} تعديل")] for r in data["edits_per_day"]}
    delay = [Slot(label, [(n, "delay", f"{label}: {n}")]) for (_, label), n in
             zip(FIRST_EDIT_BUCKETS, data["first_edit"]["buckets"])]
    health = [Slot(f"#{c['id']}", [(c["ok"] or 0, "ok", f"#{c['id']} {c['started_at'][:16]}: {c['ok'] or 0} سليم"),
                                   (c["failed"] or 0, "failed", f"#{c['id']}: {c['failed'] or 0} فشل"),
                                   (c["blocked"] or 0, "blocked", f"#{c['id']}: {c['blocked'] or 0} محجوب")])
              for c in data["crawl_health"]]
    return {
        "articles": bar_chart(_day_slots(per_day), "المقالات يومياً", "مقالات", empty="لا مقالات بعد"),
        "edits": bar_chart(_day_slots(edits), "التعديلات يومياً", "تعديلات", empty="لا تعديلات في هذه الفترة"),
        "delay": bar_chart(delay, "الوقت من النشر حتى أول تعديل", "مقالات", empty="لا مقالات معدلة بعد"),
        "health": bar_chart(health, "صحة الزحف", "طلبات", empty="لا عمليات زحف بعد"),
    }


def _anchor(key: str, used: set[str]) -> str:
    base = "diff-" + re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
    anchor, n = base, 1
    while anchor in used:
        n += 1
        anchor = f"{base}-{n}"
    used.add(anchor)
    return anchor


def _diff_section(row: dict[str, Any], anchor: str) -> str:
    out = [f'<section class="panel diff" id="{anchor}"><h3>{escape(row["title"] or "")}</h3>',
           f'<p class="meta">{_ltr(row["key"])} · <a class="url" href="{escape(row["url"] or "", quote=True)}" '
           f'dir="ltr">{escape(unquote(row["url"] or ""))}</a></p>']
    for step in row["diffs"]:
        d = step["diff"]
        origin = " (إعادة استخراج)" if step["origin"] != "fetch" else ""
        out.append(f'<h4>النسخة {step["from"]} ← النسخة {step["to"]} · {_ltr(step["fetched_at"])}{origin}</h4>')
        for field, label in (("title", "العنوان"), ("lead", "المقدمة")):
            if d[field]["changed"]:
                out.append(f'<p><span class="field">{label}:</span> {ops_html(d[field]["diff"])}</p>')
        body = d["body"]
        for p in body["paragraphs"]:
            if p["op"] == "changed":
                out.append(f'<p><span class="field">¶{p["new"] + 1}:</span> {ops_html(p["diff"])}</p>')
            elif p["op"] in ("added", "removed"):
                tag = "ins" if p["op"] == "added" else "del"
                number = (p["new"] if p["op"] == "added" else p["old"]) + 1
                out.append(f'<p><span class="field">¶{number}:</span> <{tag}>{escape(p["text"])}</{tag}></p>')
        tags = d["tags"]
        if tags["added"] or tags["removed"]:
            marks = [f"<del>{escape(t)}</del>" for t in tags["removed"]] + [f"<ins>{escape(t)}</ins>" for t in tags["added"]]
            out.append(f'<p><span class="field">الوسوم:</span> {" ".join(marks)}</p>')
        for image in d["images"]["added"] + d["images"]["removed"]:
            change = "أضيفت" if image in d["images"]["added"] else "حذفت"
            out.append(f'<p><span class="field">صورة {change}:</span> {_ltr(image.get("url"))}</p>')
    out.append("</section>")
    return "".join(out)


def render(data: dict[str, Any], source: str = "", generated: str | None = None) -> str:
    """The whole page as a string."""
    generated = generated or datetime.now(UTC).isoformat(timespec="seconds")
    s = data["summary"]
    svg = charts(data)
    cards = [("المقالات", s["articles"]), ("حية", s["live"]), ("محذوفة", s["gone"]), ("النسخ", s["versions"]),
             ("التعديلات", s["edits"]), ("مقالات معدلة", s["edited_articles"]), ("نسخ مكررة", s["duplicates"]),
             ("عمليات الزحف", s["crawls"])]
    used: set[str] = set()
    anchors = [_anchor(row["key"], used) for row in data["most_edited"]]
    rows = "".join(
        f'<tr><td><a href="#{a}">{escape(r["title"] or r["key"])}</a></td><td>{_ltr(r["key"])}</td>'
        f'<td>{r["version_count"]}</td><td>{r["edits"]}</td><td>{_ltr(r["published_at"] or "")}</td></tr>'
        for r, a in zip(data["most_edited"], anchors))
    fe = data["first_edit"]
    eds = legend([(f"ed-{min(i, 4)}", EDITION_NAMES.get(e, e)) for i, e in enumerate(data["editions"])])
    parts = [
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>تقرير أرشيف الأخبار</title>", f"<style>{CSS}</style></head><body><main>",
        "<h1>تقرير أرشيف الأخبار</h1>",
        f'<p class="meta">{_ltr(source)} · أُعدّ في {_ltr(generated)}</p>',
        '<div class="cards">' + "".join(f'<div class="card">{label}<b>{n}</b></div>' for label, n in cards) + "</div>",
        '<h2>المقالات يومياً</h2><section class="panel" id="articles-per-day">', svg["articles"], eds,
        '<p class="note">حسب تاريخ النشر كما كتبه الموقع (أو يوم أول أرشفة إن لم يُذكر)، من اليمين إلى اليسار. '
        "⋯ فترة طويلة بلا مقالات.</p></section>",
        '<h2>التعديلات يومياً</h2><section class="panel" id="edits-per-day">', svg["edits"],
        '<p class="note">يوم اكتشاف التعديل (UTC)؛ إعادة الاستخراج بمستخرج أحدث ليست تعديلاً.</p></section>',
        '<h2>الوقت من النشر حتى أول تعديل</h2><section class="panel" id="first-edit">', svg["delay"],
        f'<p class="note">{fe["articles"]} مقالة معدلة؛ الوقت حتى اكتشاف التعديل، فهو حد أعلى لوقت التعديل نفسه'
        + (f"؛ {fe['undated']} بلا تاريخ نشر" if fe["undated"] else "") + ".</p></section>",
        '<h2>صحة الزحف</h2><section class="panel" id="crawl-health">', svg["health"],
        legend([("ok", "سليم"), ("failed", "فشل"), ("blocked", "محجوب (صفحة تحدٍّ)")]), "</section>",
        '<h2>المقالات الأكثر تعديلاً</h2><table id="most-edited"><thead><tr><th>العنوان</th><th>المعرّف</th>'
        f"<th>النسخ</th><th>التعديلات</th><th>النشر</th></tr></thead><tbody>{rows}</tbody></table>",
        "" if rows else '<p class="note">لا تعديلات بعد.</p>',
        "<h2>الفروق</h2>" if rows else "",
        *(_diff_section(r, a) for r, a in zip(data["most_edited"], anchors)),
        "</main></body></html>\n",
    ]
    return "".join(parts)


def write_report(db: Any, path: str | os.PathLike[str], source: str = "") -> dict[str, Any]:
    """Gather, render and write the report; returns the gathered data (for --json)."""
    data = gather(db)
    Path(path).write_text(render(data, source), encoding="utf-8")
    return data
