"""The `rhetorscope` command: a thin typer layer over the library.

Heavy modules (models, scikit-learn, the web app) are imported inside the
commands that need them, so `rhetorscope analyze` starts fast.
"""

from __future__ import annotations

import sys

import typer

from rhetorscope.cli import analyze, claims, compare, corpus, ptc, scale, semeval, serve, spans, train
from rhetorscope.errors import RhetorscopeError

app = typer.Typer(
    name="rhetorscope",
    help="Show how political and diplomatic texts try to persuade.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("analyze")(analyze.analyze)
corpus.register(app)
app.command("compare")(compare.compare)
scale.register(app)
app.command("serve")(serve.serve)
app.add_typer(train.app, name="train")
app.add_typer(semeval.app, name="semeval")
app.add_typer(ptc.app, name="ptc")
app.add_typer(spans.app, name="spans")
app.add_typer(claims.checkworthy_app, name="checkworthy")
app.add_typer(claims.claims_app, name="claims")
app.add_typer(claims.factchecks_app, name="factchecks")


def main() -> None:
    """Console entry point: user errors become one line on stderr and exit code 2.

    typer's standalone mode already reports usage errors (exit 2) and turns
    Ctrl-C into "Aborted!"; everything the library raises as `RhetorscopeError`
    is caught here. Any other exception is a bug and keeps its traceback.
    """
    try:
        app()
    except RhetorscopeError as exc:
        print(f"rhetorscope: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
