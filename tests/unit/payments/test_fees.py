"""The fees a dossier owes: the chosen channel's published fees, per copy
or page multiplied by the applicant's answer, the postal charge added."""
import pytest

from congdichvu.payments.fees import POSTAL_FEE_NAME, FeeLine, Quote, channel_fees, counted, quote


def _fee(amount, per="dossier", name="Lệ phí", kind="fee"):
    return {"name": name, "kind": kind, "amount": amount, "per": per, "text": ""}


def _procedure(*channels):
    """A procedure dict with ``channels``: (channel name, [fees])."""
    return {"code": "2.000635", "channels": [{"channel": name, "time": {}, "fees": fees} for name, fees in channels]}


COPIES = {"name": "so_ban_sao", "label": "Số bản sao", "kind": "number", "required": True, "counts": "copy"}
PAGES = {"name": "so_trang", "label": "Số trang", "kind": "number", "required": True, "counts": "page"}


def _quote(procedure, answers=None, specs=(), result_channel="counter", postal_fee=25000, **kw):
    return quote(procedure, answers or {}, list(specs), result_channel=result_channel, postal_fee=postal_fee, **kw)


def test_a_free_fee_gives_no_line():
    due = _quote(_procedure(("online", [_fee(0), _fee(50000, name="Phí thẩm định", kind="charge")])))
    assert due.lines == (FeeLine("Phí thẩm định", "charge", "dossier", 50000, 1, 50000),)
    assert due.total == 50000
    nothing = _quote(_procedure(("online", [_fee(0)])))
    assert nothing == Quote(lines=(), total=0)


def test_the_online_channel_s_fees_apply():
    procedure = _procedure(("in_person", [_fee(10000)]), ("online", [_fee(5000)]), ("postal", [_fee(7000)]))
    assert _quote(procedure).total == 5000
    assert _quote(procedure, channel="postal").total == 7000


def test_without_an_online_channel_the_first_channel_s_fees_apply():
    procedure = _procedure(("in_person", [_fee(10000)]), ("postal", [_fee(7000)]))
    assert channel_fees(procedure) == [_fee(10000)]
    assert _quote(procedure).total == 10000
    assert _quote({"code": "x", "channels": []}) == Quote(lines=(), total=0)


def test_a_fee_per_copy_is_multiplied_by_the_answer_that_counts_copies():
    procedure = _procedure(("online", [_fee(8000, per="copy", name="Phí cấp bản sao trích lục", kind="charge")]))
    due = _quote(procedure, {"so_ban_sao": "3"}, [COPIES])
    assert due.lines == (FeeLine("Phí cấp bản sao trích lục", "charge", "copy", 8000, 3, 24000),)
    assert due.total == 24000


def test_a_fee_per_page_counts_pages_not_copies():
    procedure = _procedure(("online", [_fee(2000, per="page"), _fee(8000, per="copy")]))
    due = _quote(procedure, {"so_trang": "5", "so_ban_sao": "2"}, [COPIES, PAGES])
    assert [(line.per, line.count, line.amount) for line in due.lines] == [("page", 5, 10000), ("copy", 2, 16000)]
    assert due.total == 26000


@pytest.mark.parametrize("per", ["dossier", "case", "other"])
def test_other_fees_are_charged_once_whatever_is_answered(per):
    due = _quote(_procedure(("online", [_fee(30000, per=per)])), {"so_ban_sao": "4"}, [dict(COPIES, counts=per)])
    assert [(line.count, line.amount) for line in due.lines] == [(1, 30000)]


@pytest.mark.parametrize("answers, specs", [
    ({}, [COPIES]),  # not answered
    ({"so_ban_sao": ""}, [COPIES]),
    ({"so_ban_sao": "ba"}, [COPIES]),
    ({"so_ban_sao": "2.5"}, [COPIES]),  # not a whole number
    ({"so_ban_sao": "NaN"}, [COPIES]),
    ({"so_ban_sao": "Infinity"}, [COPIES]),
    ({"so_ban_sao": None}, [COPIES]),
    ({"so_ban_sao": "3"}, []),  # no question counts copies
    ({"so_ban_sao": "3"}, [dict(COPIES, kind="text")]),  # only a number question counts
    ({"so_ban_sao": "3"}, [dict(COPIES, counts=None)]),  # an older question, without counts
    ({"so_ban_sao": "3"}, [dict(COPIES, counts="page")]),
])
def test_without_a_whole_number_counted_a_fee_per_copy_is_charged_once(answers, specs):
    assert counted(specs, answers, "copy") == 1
    assert _quote(_procedure(("online", [_fee(8000, per="copy")])), answers, specs).total == 8000


@pytest.mark.parametrize("answer, count", [("0", 1), ("-4", 1), ("1", 1), ("3.0", 3), ("1000", 1000),
                                           ("1001", 1000), ("1e9", 1000), ("1e999999", 1000)])
def test_counts_are_kept_between_1_and_1000(answer, count):
    assert counted([COPIES], {"so_ban_sao": answer}, "copy") == count


def test_the_first_question_that_counts_copies_is_the_one_read():
    second = dict(COPIES, name="so_ban_khac")
    assert counted([COPIES, second], {"so_ban_sao": "2", "so_ban_khac": "9"}, "copy") == 2


def test_a_result_by_post_adds_the_postal_fee():
    procedure = _procedure(("online", [_fee(8000, per="copy", kind="charge")]))
    due = _quote(procedure, {"so_ban_sao": "3"}, [COPIES], result_channel="postal", postal_fee=25000)
    assert due.lines[-1] == FeeLine(POSTAL_FEE_NAME, "postal", "dossier", 25000, 1, 25000)
    assert due.total == 24000 + 25000
    named = _quote(procedure, result_channel="postal", postal_name="Cước dịch vụ bưu chính trả kết quả")
    assert named.lines[-1].name == "Cước dịch vụ bưu chính trả kết quả"
    for channel in ("counter", "online", None):
        assert _quote(procedure, result_channel=channel).total == 8000
    assert _quote(procedure, result_channel="postal", postal_fee=0).total == 8000  # free postage: no line


def test_the_total_is_the_sum_of_the_lines():
    procedure = _procedure(("online", [_fee(100000, kind="fee"), _fee(50000, kind="charge"),
                                       _fee(2000, per="page", kind=None)]))
    due = _quote(procedure, {"so_trang": "12"}, [PAGES], result_channel="postal", postal_fee=30000)
    assert [line.amount for line in due.lines] == [100000, 50000, 24000, 30000]
    assert due.total == sum(line.amount for line in due.lines) == 204000
    assert due.lines[2].kind is None


def test_a_quote_is_kept_as_json_and_read_back():
    procedure = _procedure(("online", [_fee(8000, per="copy", kind="charge")]))
    due = _quote(procedure, {"so_ban_sao": "3"}, [COPIES], result_channel="postal")
    kept = due.as_json()
    assert kept == {"total": 49000, "lines": [
        {"name": "Lệ phí", "kind": "charge", "per": "copy", "unit_amount": 8000, "count": 3, "amount": 24000},
        {"name": "Postal fee for returning the result", "kind": "postal", "per": "dossier", "unit_amount": 25000,
         "count": 1, "amount": 25000}]}
    assert type(kept["lines"][1]["name"]) is str  # plain text, not a TranslationString
    assert Quote.from_json(kept) == due
    assert Quote.from_json(None) == Quote(lines=(), total=0)
