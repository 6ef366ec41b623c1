"""How the trained artifacts store lists of strings (vocabularies, feature names) inside `.npz` files.

numpy stores a list of strings as a fixed-width UTF-32 array: every entry as wide as the longest,
four bytes a character. A vocabulary of 270,000 n-grams then takes 45 MB to inflate and a tenth of a
second to turn back into Python strings at every cold start. One UTF-8 blob joined by newlines is a
tenth of that and reads back with one decode and one split. No entry may contain a newline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pack_strings(items: Sequence[str]) -> np.ndarray:
    """The strings as one uint8 array (UTF-8, newline-separated)."""
    if any("\n" in s for s in items):
        raise ValueError("an artifact string may not contain a newline")
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def unpack_strings(blob: np.ndarray) -> list[str]:
    """The strings `pack_strings` stored (an empty blob holds none)."""
    return blob.tobytes().decode("utf-8").split("\n") if len(blob) else []
