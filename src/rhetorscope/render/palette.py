"""Colours, patterns and labels per technique category, shared by every renderer.

Okabe-Ito colours stay distinguishable under the common colour-vision
deficiencies; each category also has a pattern and a short tag, so no
information is carried by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    color: str
    terminal: str
    pattern: str  # CSS text-decoration-style for the underline
    tag: str


CATEGORY_STYLES: dict[str, Style] = {
    "attack_on_reputation": Style("#D55E00", "bold #D55E00", "solid", "ATK"),
    "justification": Style("#0072B2", "bold #3d9be0", "double", "JUS"),
    "simplification": Style("#E69F00", "bold #E69F00", "dashed", "SIM"),
    "distraction": Style("#CC79A7", "bold #CC79A7", "dotted", "DIS"),
    "call": Style("#009E73", "bold #009E73", "wavy", "CAL"),
    "manipulative_wording": Style("#56B4E9", "bold #56B4E9", "solid", "MW"),
}
REPETITION_STYLE = Style("#777777", "italic #aaaaaa", "dashed", "REP")
CLAIM_STYLE = Style("#000000", "bold #F0E442", "double", "CLM")
"""Checkable claims: Okabe-Ito black (yellow in a terminal), apart from every technique colour."""
EDITORIAL_STYLE = "dim italic"


def style_for(category: str | None, kind: str | None = None) -> Style:
    """A technique category's style; claims and repetitions have their own."""
    if kind == "claim":
        return CLAIM_STYLE
    return CATEGORY_STYLES.get(category or "", REPETITION_STYLE)
