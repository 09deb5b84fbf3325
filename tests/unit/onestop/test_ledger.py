"""Form 06's note: how a dossier finished against its deadline."""
from datetime import datetime, timezone

import pytest

from congdichvu.onestop import ledger

UTC = timezone.utc
DUE = datetime(2026, 11, 30, 10, tzinfo=UTC)  # 17:00 in the city


@pytest.mark.parametrize("finished, expected", [
    (datetime(2026, 11, 27, 9, tzinfo=UTC), ledger.EARLY),
    (datetime(2026, 11, 30, 2, tzinfo=UTC), ledger.ON_TIME),
    (DUE, ledger.ON_TIME),
    (datetime(2026, 11, 30, 10, 1, tzinfo=UTC), ledger.LATE),
    (None, ""),
])
def test_timeliness(finished, expected):
    assert ledger.timeliness(finished, DUE) == expected
