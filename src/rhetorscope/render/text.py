"""The terminal view: header, speakers, segment outline with highlights, findings table."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rhetorscope.model import Analysis
from rhetorscope.render.layout import fragment_coverage, is_span, label, pieces, segment_badges
from rhetorscope.render.palette import EDITORIAL_STYLE, style_for

_KIND_STYLE = {"title": "bold", "lead": "bold magenta", "question": "bold cyan", "answer": "bold green",
               "key_point": "bold yellow", "paragraph": "bold white", "closing": "bold blue"}


def _header(analysis: Analysis) -> Panel:
    doc = analysis.document
    meta = doc.metadata
    facts = [
        f"date {meta.date.isoformat()}" if meta.date else "undated",
        *([f"states {meta.stated_date.isoformat()}"] if meta.stated_date and meta.stated_date != meta.date else []),
        f"language {meta.language or 'unknown'}",
        f"{meta.input_format}" + (f" ({meta.encoding})" if meta.encoding else ""),
        f"{len(doc.segments)} segments",
        f"{len(analysis.findings)} findings",
        fragment_coverage(analysis),
    ]
    body = Text()
    body.append(meta.title or "(untitled)", style="bold")
    if meta.source_line:
        body.append(f"\n{meta.source_line}", style="dim")
    body.append("\n" + " · ".join(facts), style="dim")
    if doc.repairs:
        rules = Counter(r.rule for r in doc.repairs)
        body.append("\nrepaired: " + ", ".join(f"{n}× {rule.replace('_', ' ')}" for rule, n in rules.items()),
                    style="dim")
    return Panel(body, title="rhetorscope", title_align="left", subtitle=meta.source or None,
                 subtitle_align="right")


def _speakers(analysis: Analysis) -> Text:
    kinds: dict[str, Counter[str]] = {}
    for seg in analysis.document.segments:
        if seg.speaker:
            kinds.setdefault(seg.speaker, Counter())[str(seg.kind)] += 1
    out = Text("Speakers: ", style="bold")
    if not kinds:
        return out.append("none tagged", style="dim")
    for n, (speaker, counts) in enumerate(kinds.items()):
        if n:
            out.append(" · ")
        out.append(speaker, style="bold")
        out.append(" (" + ", ".join(f"{k.replace('_', ' ')} {c}" for k, c in counts.items()) + ")", style="dim")
    return out


def _outline(analysis: Analysis) -> Group:
    rows = []
    for seg in analysis.document.segments:
        head = Text(f"{seg.id:>4} ", style="dim")
        head.append(str(seg.kind).replace("_", " ").upper(), style=_KIND_STYLE.get(str(seg.kind), "bold"))
        if seg.speaker:
            head.append(f"  {seg.speaker}", style="italic")
        for f in segment_badges(analysis, seg):
            style = style_for(f.category, f.kind)
            head.append(f"  [{style.tag} {label(f)} {f.confidence:.0%}]", style=style.terminal)
        body = Text()
        for piece in pieces(analysis, seg):
            styles = [style_for(f.category, f.kind).terminal + " underline" for f in piece.findings]
            if piece.editorial:
                styles.append(EDITORIAL_STYLE)
            body.append(piece.text, style=" ".join(styles) or None)
        rows.extend([head, Padding(body, (0, 0, 1, 6))])
    return Group(*rows)


def _findings(analysis: Analysis) -> Table | Text:
    if not analysis.findings:
        return Text("No findings.", style="dim")
    table = Table(title="Findings", title_justify="left", expand=True, show_lines=True)
    table.add_column("id", style="dim", no_wrap=True)
    table.add_column("finding", no_wrap=True)
    table.add_column("where", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("fragment and evidence", ratio=1)
    doc = analysis.document
    for f in analysis.findings:
        style = style_for(f.category, f.kind)
        seg = doc.segment(f.segment_id)
        fragment = Text(f.text if len(f.text) <= 240 else f.text[:237] + "…", style=style.terminal)
        if not is_span(f, seg):
            fragment = Text("(whole segment)", style="dim")
        for line in f.evidence:
            fragment.append(f"\n• {line}", style="dim")
        for rel in f.related:
            fragment.append(f"\n→ {rel.relation} {rel.segment_id} [{rel.start}:{rel.end}]", style="dim")
        for m in f.matches:
            fragment.append(f"\n≈ fact-check {m.score:.2f} [{m.rating or 'no rating'}] {m.claim}"
                            f" ({m.reviewer or 'unknown reviewer'}{', ' + m.url if m.url else ''})", style="dim")
        table.add_row(f.id, Text(f"{style.tag} {label(f)}", style=style.terminal), f"{f.segment_id} "
                      f"[{f.start}:{f.end}]", f"{f.confidence:.2f}", fragment)
    return table


def render_text(analyses: Sequence[Analysis], *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="truecolor" if color else None,
                      highlight=False, soft_wrap=False)
    for analysis in analyses:
        console.print(_header(analysis))
        console.print(_speakers(analysis))
        console.print()
        console.print(_outline(analysis))
        console.print(_findings(analysis))
        models = ", ".join(f"{k} {v}" for k, v in analysis.models.items()) or "no technique model loaded"
        console.print(Text(f"{analysis.generator} · schema {analysis.schema_version} · {models}", style="dim"))
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))
