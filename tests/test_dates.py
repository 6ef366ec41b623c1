"""Dates stated in the six languages, and text that only looks like it has one."""

from __future__ import annotations

import datetime as dt

import pytest

from rhetorscope.dates import find_date


@pytest.mark.parametrize(("text", "expected"), [
    ("(March 21, 2025) Read in full", dt.date(2025, 3, 21)),
    ("Mar. 5, 2021", dt.date(2021, 3, 5)),
    ("21 марта 2025 года", dt.date(2025, 3, 21)),
    ("le 3 mars 2024", dt.date(2024, 3, 3)),
    ("am 21. März 2025", dt.date(2025, 3, 21)),
    ("il 21 marzo 2025", dt.date(2025, 3, 21)),
    ("21 marca 2025 r.", dt.date(2025, 3, 21)),
    ("published on 2025-03-21", dt.date(2025, 3, 21)),
    ("21.03.2025", dt.date(2025, 3, 21)),
    ("In 2014, and then on 5 May 2016, it changed", dt.date(2016, 5, 5)),
])
def test_stated_dates(text, expected):
    found = find_date(text)
    assert found is not None and found[0] == expected
    assert str(expected.year) in text[found[1]:found[2]]


@pytest.mark.parametrize("text", ["May be 12 2020", "In 2014 nothing happened", "31 February 2024", "no date"])
def test_no_date(text):
    assert find_date(text) is None
