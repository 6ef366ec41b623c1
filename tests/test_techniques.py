"""The taxonomy must match the official label files exactly: prediction files are scored on these ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from rhetorscope.techniques import (
    CATEGORIES,
    PTC_2020_TO_2023,
    SEMEVAL_2021_TO_2023,
    TECHNIQUES,
    category_of,
    get_technique,
)


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_ids_and_order_match_official_file(shared_datasets: Path) -> None:
    official = _lines(shared_datasets / "semeval2023-task3" / "techniques_subtask3.txt")
    assert list(TECHNIQUES) == official


def test_every_technique_is_complete_and_categorised() -> None:
    assert len(TECHNIQUES) == 23
    assert set(CATEGORIES) == {
        "attack_on_reputation", "justification", "simplification", "distraction", "call",
        "manipulative_wording",
    }
    for tid, tech in TECHNIQUES.items():
        assert tech.id == tid
        assert tech.category in CATEGORIES
        assert tech.name and tech.example and len(tech.definition) > 60
    assert {t.category for t in TECHNIQUES.values()} == set(CATEGORIES)


def test_lookup_helpers() -> None:
    assert get_technique("Loaded_Language").name == "Loaded language"
    assert category_of("Whataboutism").id == "distraction"
    with pytest.raises(KeyError, match="unknown technique 'Smears'"):
        get_technique("Smears")


def test_old_label_mappings_cover_the_old_label_files(shared_datasets: Path) -> None:
    assert set(PTC_2020_TO_2023) == set(_lines(shared_datasets / "ptc" / "techniques.txt"))
    assert set(SEMEVAL_2021_TO_2023) == set(_lines(shared_datasets / "semeval2021-task6" / "techniques.txt"))


def test_old_label_mappings_point_to_known_ids() -> None:
    for mapping, size in ((PTC_2020_TO_2023, 14), (SEMEVAL_2021_TO_2023, 20)):
        assert len(mapping) == size
        for targets in mapping.values():
            assert targets and all(t in TECHNIQUES for t in targets)
