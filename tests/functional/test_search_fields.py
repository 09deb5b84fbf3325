"""Every text the public procedure page shows is found by search as soon as
an editor's change to it is published (issue 13: wording added to the
requirements of 1.001193 was shown at once but never found).

Each case adds a wording not otherwise in the catalogue to one field of
one procedure (a procedure per case, so no case is found through another's
words) through the CMS, a reviewer publishes it on an app that commits, and
then: the public page shows it, the index holds its syllables for that
procedure (some of them it did not before), and searching it, with and
without its diacritics, finds the procedure on the first page of results.
A case failing only at that last step is indexed but turned away by the
query logic (search.query), not by indexing.
"""
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import webtest
from sqlalchemy import select
from whoosh import query as Q

from congdichvu.catalog.models import Channel, Fee, LegalBasis, Paper, Procedure
from congdichvu.search.analysis import fold, folded_analyzer, syllables
from congdichvu.search.schema import FOLDED, WEIGHTS
from tests.conftest import committing_portal
from tests.factories import demo_document
from tests.functional.test_cms import action_form
from tests.functional.test_submission import citizen, run

_DEMO = {entry["code"]: entry for entry in demo_document()["procedures"]}


@dataclass(frozen=True)
class Case:
    """An editor's change: the form control ``control`` whose value is
    ``current(procedure entry of the demo catalogue)`` ("" for an empty
    field or the blank item a sequence offers) gets ``added`` after its
    value, or instead of it when ``replace``; citizens then search ``query``."""

    field: str
    code: str
    control: str
    current: Callable[[dict], str]
    added: str
    query: str
    replace: bool = False

    def value(self, current):
        return self.added if self.replace or not current else f"{current} {self.added}"


def _first_fee(entry):
    return entry["channels"][0]["fees"][0]


def _paper_with(key):
    return lambda entry: next(paper[key] for paper in entry["papers"] if paper.get(key))


CASES = [
    Case("name", "1.000656", "name", lambda e: e["name"], "(kể cả người mất do thiên tai, lũ lụt)",
         "thiên tai lũ lụt"),
    Case("applicants", "1.000894", "applicants", lambda e: e["applicants"], "; kể cả quân nhân đang tại ngũ",
         "quân nhân tại ngũ"),
    Case("step", "1.004873", "step", lambda e: "",
         "Công chức tư pháp - hộ tịch báo kết quả cho người yêu cầu qua tin nhắn Zalo", "tin nhắn Zalo"),
    Case("requirements", "1.001193", "requirements", lambda e: e.get("requirements", ""),
         "Người đi đăng ký xuất trình thẻ bảo hiểm y tế của người mẹ (nếu có)", "bảo hiểm y tế"),
    Case("result", "2.000635", "result", lambda e: e["result"], "; bản điện tử lưu trong ví giấy tờ điện tử",
         "ví giấy tờ điện tử"),
    Case("channel time in words", "1.004884", "time_text", lambda e: e["channels"][0]["time"].get("text", ""),
         "; trả kết quả vào buổi sáng thứ bảy", "buổi sáng thứ bảy"),
    Case("channel details", "1.001022", "description", lambda e: e["channels"][0].get("description", ""),
         "; hoặc nộp tại điểm bưu điện văn hóa xã", "điểm bưu điện văn hóa xã"),
    Case("fee name", "1.004859", "name", lambda e: _first_fee(e)["name"], "và cước gửi thư bảo đảm",
         "cước thư bảo đảm"),
    Case("fee note", "1.004746", "text", lambda e: _first_fee(e).get("text", ""),
         "; người cao tuổi neo đơn được miễn lệ phí", "người cao tuổi neo đơn"),
    Case("paper", "1.005461", "name", lambda e: e["papers"][0]["name"], "kèm bản dịch song ngữ", "bản dịch song ngữ"),
    Case("paper case", "1.004837", "group", _paper_with("group"), "hoặc người được giám hộ là trẻ sinh đôi",
         "trẻ sinh đôi"),
    Case("paper note", "1.004845", "note", _paper_with("note"), "; bản chụp trên khổ giấy A4", "khổ giấy A4"),
    Case("blank form file", "2.000815", "template", lambda e: "", "to-khai-tre-mo-coi.docx",
         "to-khai-tre-mo-coi.docx"),
    Case("blank form words", "2.000942", "template", _paper_with("template"), "to-khai-nguoi-vo-thua-nhan.docx",
         "tờ khai người vô thừa nhận", replace=True),
    Case("legal basis number", "1.000689", "number", lambda e: e["legal_bases"][0]["number"], "42/2026/NQ-HĐND",
         "42/2026/NQ-HĐND", replace=True),
    Case("legal basis title", "1.004772", "title", lambda e: e["legal_bases"][0]["title"],
         "và Quy chế phối hợp liên ngành", "quy chế phối hợp liên ngành"),
    Case("legal basis issuer", "2.000884", "issuer", lambda e: e["legal_bases"][0].get("issuer", ""),
         "Ủy ban Dân tộc", "Ủy ban Dân tộc", replace=True),
    Case("published by decision", "2.001035", "published_decision", lambda e: e.get("published_decision", ""),
         "Quyết định số 1836/QĐ-UBND ngày 15/8/2025 của Chủ tịch UBND tỉnh Thái Nguyên",
         "quyết định 1836/QĐ-UBND"),
]


@pytest.fixture(scope="module")
def portal(databases, tmp_path_factory):
    """An app that commits (so the index follows as in production), on
    its own database with the demo catalogue."""
    app = committing_portal(databases, tmp_path_factory)
    yield app
    app.registry["dbengine"].dispose()


def _control_index(form, name, current):
    """The index among the controls named ``name`` (names repeat in nested
    items: fees and papers have a "name" too) of the one holding ``current``."""
    values = [field.value for field in form.fields[name]]
    assert current in values, f"no {name!r} control holds {current!r}: {values}"
    return values.index(current)


def _edit_and_publish(portal, case):
    editor = citizen(portal, role="editor")
    form = editor.get(f"/quan-tri/thu-tuc/{case.code}/sua").forms["deform"]
    current = case.current(_DEMO[case.code]) or ""
    form.set(case.control, case.value(current), index=_control_index(form, case.control, current))
    form["comment"] = f"Bổ sung {case.field}"
    saved = form.submit("submit_for_review")
    assert saved.status_int == 302, saved.text[:3000]
    reviewer = citizen(portal, role="reviewer")
    published = action_form(reviewer.get(f"/quan-tri/thu-tuc/{case.code}/lich-su"), "publish").submit()
    assert published.status_int == 302 and "done=publish" in published.location


def _missing_syllables(portal, code, text):
    """The folded syllables of ``text`` that the index does not hold for
    the procedure ``code`` in any of its searchable fields."""
    searcher = portal.registry["search_index"].searcher()
    missing = []
    for syllable in dict.fromkeys(syllables(text, folded_analyzer())):
        held = Q.And([Q.Term("code", code), Q.Or([Q.Term(name + FOLDED, syllable) for name in WEIGHTS])])
        if not searcher.search(held, limit=1):
            missing.append(syllable)
    return missing


def _found(public, query):
    answer = public.get("/api/v1/search", params={"q": query}).json
    return [result["code"] for result in answer["results"]]


@pytest.mark.parametrize("case", CASES, ids=[case.field for case in CASES])
def test_a_published_wording_is_found_in_every_field_the_page_shows(portal, case):
    assert _missing_syllables(portal, case.code, case.query), "the wording must be new to the procedure"
    _edit_and_publish(portal, case)
    public = webtest.TestApp(portal, extra_environ={"HTTP_HOST": "example.com"})
    assert case.added in public.get(f"/thu-tuc/{case.code}").text  # shown at once
    assert _missing_syllables(portal, case.code, case.query) == []  # indexed at once
    for query in dict.fromkeys((case.query, fold(case.query))):
        assert case.code in _found(public, query), (
            f"{query!r} does not find {case.code} on the first page, though the index holds its words for it")


#: (part, procedure, its text column): a part changed by itself, outside
#: the CMS (a console fix, a future editor of one part), must name its
#: procedure in the outbox as a publish does
PARTS = [
    (Channel, "2.000913", "description"),
    (Fee, "2.000927", "text"),
    (Paper, "2.001406", "note"),
    (LegalBasis, "2.001019", "issuer"),
]


def _first_part(db, model, code):
    query = select(model).join(Channel) if model is Fee else select(model)
    return db.scalar(query.join(Procedure).where(Procedure.code == code).order_by(model.id).limit(1))


@pytest.mark.parametrize(("model", "code", "column"), PARTS, ids=[model.__name__ for model, _c, _n in PARTS])
def test_a_part_changed_alone_is_reindexed_with_its_procedure(portal, model, code, column):
    wording = "Gọi đường dây nóng của phường khi cần hỗ trợ"
    assert _missing_syllables(portal, code, wording)
    run(portal, lambda db: setattr(_first_part(db, model, code), column, wording))
    assert _missing_syllables(portal, code, wording) == []
