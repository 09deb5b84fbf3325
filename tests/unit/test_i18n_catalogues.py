"""The Vietnamese catalogues are complete and the pages speak Vietnamese."""
import subprocess
import sys
import unicodedata
from pathlib import Path

import colander
import deform
import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

LOCALES = ROOT / "locales"
VI_CATALOGUES = sorted((LOCALES / "vi" / "LC_MESSAGES").glob("*.po"))


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_vietnamese_catalogues_exist_for_every_domain():
    assert {path.stem for path in VI_CATALOGUES} == {"congdichvu", "deform", "colander"}


@pytest.mark.parametrize("path", VI_CATALOGUES, ids=lambda p: p.stem)
def test_no_vietnamese_message_is_untranslated_or_fuzzy(path):
    problems = []
    for message in _read(path):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
        for string in strings:
            if string != unicodedata.normalize("NFC", string):
                problems.append(f"not NFC: {message.id}")
    assert problems == []


@pytest.mark.parametrize("domain", ["deform", "colander"])
def test_deform_and_colander_catalogues_cover_the_packages_messages(domain):
    package = {"deform": deform, "colander": colander}[domain]
    shipped = {m.id for m in _read(Path(package.__file__).parent / "locale" / f"{domain}.pot") if m.id}
    ours = {m.id for m in _read(LOCALES / "vi" / "LC_MESSAGES" / f"{domain}.po") if m.id}
    assert shipped <= ours


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    """Fails when someone adds a string and forgets `make i18n`."""
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
         "-k", "_", "-k", "ngettext:1,2", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True,
    )
    extracted = {m.id for m in _read(pot) if m.id}
    catalogue = {m.id for m in _read(LOCALES / "vi" / "LC_MESSAGES" / "congdichvu.po") if m.id}
    assert extracted - catalogue == set()


def test_compiled_catalogues_are_present():
    for path in VI_CATALOGUES:
        assert path.with_suffix(".mo").exists(), f"{path.name} not compiled: run make setup"
