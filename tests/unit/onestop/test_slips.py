"""What onestop.slips hands the forms from a dossier: the papers of Form 01
and the title the leader signs Form 04 under."""
from pyramid.i18n import make_localizer

from congdichvu.documents.slips import Paper
from congdichvu.eservices.models import Dossier
from congdichvu.onestop import slips
from tests.conftest import ROOT

SNAPSHOT = {"name": "Đăng ký khai sinh", "papers": [
    {"name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0},
    {"name": "Căn cước công dân", "presented_only": True}]}


def test_a_paper_only_shown_at_the_counter_is_marked_so_without_counts():
    dossier = Dossier(procedure_snapshot=SNAPSHOT, data={"papers_received": [
        {"paper": "Tờ khai đăng ký khai sinh", "received": True, "presented_only": False, "originals": 1, "copies": 0},
        {"paper": "Căn cước công dân", "received": True, "presented_only": True, "originals": 0, "copies": 0},
        {"paper": "Giấy chứng sinh", "received": False, "presented_only": False, "originals": 0, "copies": 0}]})
    assert slips.papers(dossier) == (Paper("Tờ khai đăng ký khai sinh", 1, 0),
                                     Paper("Căn cước công dân", None, None, presented_only=True))


def test_an_online_dossier_without_files_has_no_papers():
    dossier = Dossier(procedure_snapshot=SNAPSHOT, data={"papers": [{"paper": "Tờ khai đăng ký khai sinh",
                                                                      "files": []}]})
    assert slips.papers(dossier) == ()
    uploaded = Dossier(procedure_snapshot=SNAPSHOT, data={"papers": [{"paper": "Tờ khai đăng ký khai sinh",
                                                                       "files": [{"id": "x"}]}]})
    assert slips.papers(uploaded) == (Paper("Tờ khai đăng ký khai sinh", 1, 0),)


def test_the_leader_signs_as_the_circular_s_form_04_says():
    translate = make_localizer("vi", [str(ROOT / "locales")]).translate
    assert translate(slips._LEADER_TITLE) == "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"
