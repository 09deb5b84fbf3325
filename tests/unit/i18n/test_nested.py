"""Messages inside a message's mapping are translated too."""
from pyramid.i18n import make_localizer

from congdichvu.i18n import _, translate_with
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parents[3] / "locales"


def test_a_label_in_a_message_is_translated_with_it():
    localizer = make_localizer("vi", [str(LOCALES_DIR)])
    message = _("${field}: write the date as day/month/year, for example 31/03/2018.",
                mapping={"field": _("Submitted from")})
    text = translate_with(localizer, message)
    assert "Submitted" not in text and text.startswith(localizer.translate(_("Submitted from")))
