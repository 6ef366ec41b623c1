"""The report inside a notebook: the HTML renderer's report, with its styles scoped to the report's root.

A notebook page is shared: the standalone report's stylesheet sets `body`,
`:root`, `h1`, `a`, … for the whole page, and would restyle the notebook around
it. Here every rule is rewritten to apply under `.rhetorscope-report` only
(`:root`/`html`/`body` become the root itself), in a `<style>` inside the
report's own element, with no script: it renders the same in JupyterLab, in
classic Notebook, and in a static HTML export of the notebook.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rhetorscope.model import Analysis

ROOT = ".rhetorscope-report"
_GLOBAL = frozenset({":root", "html", "body"})


def _scope_selector(selector: str, root: str) -> str:
    parts = []
    for one in (s.strip() for s in selector.split(",")):
        if one in _GLOBAL:
            parts.append(root)
        elif one == "*":
            parts += [root, f"{root} *"]
        else:
            parts.append(f"{root} {one}")
    return ", ".join(parts)


def scope_css(css: str, root: str = ROOT) -> str:
    """Every rule of `css` (at-rule blocks such as `@media` included) limited to elements under `root`."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, pos = [], 0
    while True:
        brace = css.find("{", pos)
        if brace < 0:
            break
        head = css[pos:brace].strip()
        if head.startswith("@"):
            depth, end = 1, brace + 1
            while depth:
                depth += {"{": 1, "}": -1}.get(css[end], 0)
                end += 1
            out.append(f"{head} {{\n{scope_css(css[brace + 1:end - 1], root)}}}")
        else:
            end = css.index("}", brace) + 1
            out.append(f"{_scope_selector(head, root)} {{{css[brace + 1:end - 1]}}}")
        pos = end
    return "\n".join(out) + "\n"


@lru_cache(maxsize=1)
def _scoped_stylesheet() -> str:
    return scope_css((files("rhetorscope.render") / "templates" / "report.css").read_text(encoding="utf-8"))


def notebook_html(analysis: Analysis) -> str:
    """The report as one self-contained element for `_repr_html_`."""
    from rhetorscope.render.html import environment, report_context

    body = environment().get_template("_report.html.j2").render(r=report_context(analysis))
    return f'<div class="{ROOT[1:]}"><style>\n{_scoped_stylesheet()}</style>\n{body}</div>'
