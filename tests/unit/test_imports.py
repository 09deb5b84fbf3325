"""Every entry point imports on its own, in a fresh interpreter (the order
in which modules load must not matter)."""
import subprocess
import sys

import pytest

ENTRY_POINTS = [
    "congdichvu.scripts.catalog",
    "congdichvu.scripts.db",
    "congdichvu.scripts.search",
    "congdichvu.scripts.user",
    "congdichvu.catalog.models",
    "congdichvu.accounts.models",
    "congdichvu.cms.workflow",
    "congdichvu.eservices.services",
    "congdichvu.payments.fees",
    "congdichvu.search.index",
    "congdichvu.config",
]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_entry_point_imports_alone(module):
    code = f"import {module}\nfrom sqlalchemy.orm import configure_mappers\nconfigure_mappers()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
