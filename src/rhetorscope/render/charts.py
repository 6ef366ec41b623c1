"""Charts of corpus results with matplotlib: compare profiles side by side, a talking point's timeline.

Readable in print and for colour-blind readers: the Okabe-Ito colours, and each
group (or kind of occurrence) also has its own hatch (or marker), so nothing is
told by colour alone; every bar writes its value. matplotlib is imported only
here, and only when a chart is drawn (Agg backend: no display needed).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rhetorscope.errors import InputError

if TYPE_CHECKING:
    from rhetorscope.store.compare import Comparison
    from rhetorscope.store.propagation import Propagation

#: Okabe-Ito, black last (it is used for the first post of a timeline).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")
FORMATS = ("png", "svg")
_MARKERS = {"first": ("*", "#000000"), "forward": ("^", "#0072B2"), "copy": ("s", "#E69F00"),
            "rewording": ("D", "#009E73")}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_format(out: Path | None, fmt: str | None = None) -> str:
    """png or svg, from `fmt` or the file's suffix; an InputError names what is accepted."""
    chosen = (fmt or (out.suffix.lstrip(".") if out else "")).lower()
    if chosen not in FORMATS:
        raise InputError(f"cannot draw a chart as '{chosen or out}'", "give a .png or .svg file name")
    return chosen


def _save(fig: Any, fmt: str) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return buffer.getvalue()


def compare_chart(comparison: Comparison, fmt: str = "svg", *, top: int = 12, max_groups: int = 8) -> bytes:
    """Grouped horizontal bars: per technique, each group's paragraphs per 1,000 with its 95 % interval.

    The `top` techniques by overall rate; significant ones are starred; small groups say so in the legend.
    """
    from rhetorscope.techniques import TECHNIQUES

    plt = _pyplot()
    groups = comparison.groups[:max_groups]
    tests = {t.name: t for t in comparison.tests if t.level == "technique"}
    rows = sorted(tests, key=lambda n: -sum(g.rates[n].paragraphs for g in groups))[:top][::-1]
    height = max(3.0, 0.5 + len(rows) * (0.25 + 0.18 * len(groups)))
    fig, ax = plt.subplots(figsize=(11, height), layout="constrained")
    bar = 0.8 / max(1, len(groups))
    for gi, group in enumerate(groups):
        ys = [ri + ((len(groups) - 1) / 2 - gi) * bar for ri in range(len(rows))]  # first group on top
        values = [group.rates[n].per_1000 for n in rows]
        errors = [[v - 1000 * group.rates[n].low for n, v in zip(rows, values, strict=True)],
                  [1000 * group.rates[n].high - v for n, v in zip(rows, values, strict=True)]]
        label = f"{group.name} ({group.paragraphs} paragraphs{', small' if group.small else ''})"
        ax.barh(ys, values, height=bar * 0.9, color=COLOURS[gi % len(COLOURS)], hatch=HATCHES[gi % len(HATCHES)],
                edgecolor="#333333", linewidth=0.5, xerr=errors, error_kw={"elinewidth": 0.8, "capsize": 2},
                label=label, alpha=0.55 if group.small else 1.0)
        for y, v in zip(ys, values, strict=True):
            ax.annotate(f"{v:.0f}", (v, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
    labels = [(TECHNIQUES[n].name if n in TECHNIQUES else n) + (" *" if tests[n].significant else "") for n in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize=9)
    ax.set_xlabel("paragraphs with the technique per 1,000 paragraphs (bars: 95 % Wilson interval)")
    split = f" before/from {comparison.split_date}" if comparison.split_date else ""
    ax.set_title(f"Technique profiles by {comparison.by}{split}  (* significant, BH q < {comparison.alpha})",
                 fontsize=10)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if groups:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, fmt)


def timeline_chart(spread: Propagation, fmt: str = "svg") -> bytes:
    """One row per source in the order it took the point up; a marker per occurrence, shaped by its kind."""
    plt = _pyplot()
    placed = [s for s in spread.occurrences if s.date is not None]
    sources = [s.source for s in spread.sources]
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.9 + 0.45 * len(sources))), layout="constrained")
    for kind, (marker, colour) in _MARKERS.items():
        steps = [s for s in placed if s.kind == kind]
        if steps:
            ax.scatter([s.posted_at or s.date for s in steps], [sources.index(s.source) for s in steps],
                       marker=marker, s=90 if kind == "first" else 45, color=colour, edgecolor="#222222",
                       linewidth=0.5, label=kind, zorder=3)
    for step in placed:
        ax.annotate(str(step.order), (step.posted_at or step.date, sources.index(step.source)), xytext=(0, 7),
                    textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(range(len(sources)), sources, fontsize=9)
    ax.invert_yaxis()
    ax.set_title(f"Talking point {spread.cluster_id}: {len(spread.occurrences)} occurrences in "
                 f"{len(sources)} sources (numbers: order posted)", fontsize=10)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.legend(fontsize=8, loc="lower right")
    fig.autofmt_xdate()
    return _save(fig, fmt)
