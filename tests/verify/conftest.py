"""Every registered claim checked once per session (about 20 s): shared by the tests that
judge the claims and the tests that render them."""

from __future__ import annotations

import pytest

from deepmap.verify import all_claims, check_claims


@pytest.fixture(scope="session")
def all_results():
    """check_claims over every registered claim; measured claims read nothing (no
    results folder), so they are all "not measured"."""
    return check_claims(all_claims())
