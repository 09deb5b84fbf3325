"""The rules of a satisfaction rating (eservices.ratings), on SQLite and
PostgreSQL: only the applicant, only once the result is returned, once;
the three levels; the comment's limit; the event's shape the statistics
read."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select, update

from congdichvu.accounts import services as accounts
from congdichvu.eservices import ratings
from congdichvu.eservices.models import Dossier, DossierEvent
from tests.factories import make_dossier

AT = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def citizen(dbsession):
    return accounts.create_user(dbsession, "nguoi.danh.gia", "mật-khẩu-dài-đánh-giá", "Lê Thị Hoa", ["citizen"])


@pytest.fixture
def stranger(dbsession):
    return accounts.create_user(dbsession, "nguoi.la", "mật-khẩu-dài-người-lạ", "Người Lạ", ["citizen"])


def returned(dbsession, citizen, number=1, state=ratings.RETURNED):
    return make_dossier(dbsession, "H56.01.P08", number, state=state, applicant_id=citizen.id)


def rate_events(dbsession, dossier):
    return dbsession.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                        DossierEvent.action == "rate")).all()


@pytest.mark.parametrize("level", ["very_satisfied", "satisfied", "dissatisfied"])
def test_the_applicant_rates_a_returned_dossier_once_as_an_event_the_statistics_read(dbsession, citizen, level):
    dossier = returned(dbsession, citizen)
    version = dossier.version
    event = ratings.rate(dbsession, dossier, citizen, level, "  Cán bộ hướng dẫn tận tình.\r\nCảm ơn.  ", now=AT)
    dbsession.flush()
    assert (event.action, event.from_state, event.to_state) == ("rate", 10, 10)
    assert event.details == {"level": level, "comment": "Cán bộ hướng dẫn tận tình.\nCảm ơn."}
    assert event.note == "Cán bộ hướng dẫn tận tình.\nCảm ơn." and event.actor_id == citizen.id and event.at == AT
    assert dossier.state == 10 and dossier.version == version + 1
    assert ratings.rating_of(dossier) == event.details
    assert [row.id for row in rate_events(dbsession, dossier)] == [event.id]


def test_the_three_levels_and_their_vietnamese_words(dbsession):
    assert list(ratings.LEVELS) == ["very_satisfied", "satisfied", "dissatisfied"]
    from pyramid.i18n import make_localizer
    from tests.conftest import ROOT

    translate = make_localizer("vi", [str(ROOT / "locales")]).translate
    assert [translate(words) for words in ratings.LEVELS.values()] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]


def test_no_comment_is_kept_as_none(dbsession, citizen):
    dossier = returned(dbsession, citizen)
    event = ratings.rate(dbsession, dossier, citizen, "satisfied", " \r\n ")
    assert event.details == {"level": "satisfied", "comment": None} and event.note is None


@pytest.mark.parametrize("level", [None, "", "excellent", "Hài lòng", "SATISFIED"])
def test_a_level_not_among_the_three_is_refused_and_nothing_changes(dbsession, citizen, level):
    dossier = returned(dbsession, citizen)
    version = dossier.version
    with pytest.raises(ratings.Refused) as refused:
        ratings.rate(dbsession, dossier, citizen, level, "Tốt")
    assert refused.value.field == "level" and refused.value.message == ratings.NO_LEVEL
    assert dossier.version == version and rate_events(dbsession, dossier) == []


def test_a_comment_of_1000_characters_is_taken_one_more_is_refused(dbsession, citizen):
    longest = "ả" * 998 + "\r\n" + "b"  # a browser sends a line break as \r\n: it counts one
    dossier = returned(dbsession, citizen)
    with pytest.raises(ratings.Refused) as refused:
        ratings.rate(dbsession, dossier, citizen, "satisfied", "ả" * 1001)
    assert refused.value.field == "comment" and refused.value.message.mapping == {"max": "1.000", "count": "1.001"}
    assert rate_events(dbsession, dossier) == []
    event = ratings.rate(dbsession, dossier, citizen, "satisfied", longest)
    assert len(event.details["comment"]) == 1000


@pytest.mark.parametrize("state", [1, 2, 3, 4, 5, 6, 7, 8, 9])
def test_only_a_dossier_whose_result_was_returned_is_rated(dbsession, citizen, state):
    dossier = returned(dbsession, citizen, state=state)
    assert not ratings.may_rate(dossier, citizen)
    with pytest.raises(ratings.Refused) as refused:
        ratings.rate(dbsession, dossier, citizen, "satisfied", None)
    assert refused.value.field is None and refused.value.message == ratings.NOT_RETURNED
    assert dossier.state == state and rate_events(dbsession, dossier) == []


def test_only_the_applicant_rates(dbsession, citizen, stranger):
    dossier = returned(dbsession, citizen)
    desk_dossier = make_dossier(dbsession, "H56.01.P08", 2, state=10, channel="in_person")  # no account
    for user, target in ((stranger, dossier), (None, dossier), (citizen, desk_dossier)):
        assert not ratings.may_rate(target, user)
        with pytest.raises(ratings.NotYours):
            ratings.rate(dbsession, target, user, "dissatisfied", "Không phải hồ sơ của tôi")
    assert rate_events(dbsession, dossier) == [] and rate_events(dbsession, desk_dossier) == []


def test_a_dossier_is_rated_once(dbsession, citizen):
    dossier = returned(dbsession, citizen)
    assert ratings.may_rate(dossier, citizen)
    ratings.rate(dbsession, dossier, citizen, "very_satisfied", None)
    assert not ratings.may_rate(dossier, citizen)
    with pytest.raises(ratings.Refused) as refused:
        ratings.rate(dbsession, dossier, citizen, "dissatisfied", "Đổi ý")
    assert refused.value.field is None and refused.value.message == ratings.ALREADY_RATED
    assert ratings.rating_of(dossier) == {"level": "very_satisfied", "comment": None}
    assert len(rate_events(dbsession, dossier)) == 1


def test_a_rating_made_meanwhile_from_another_tab_wins(dbsession, citizen):
    """This request read the dossier before the other tab's rating was
    written: its conditional update matches no row, so it says "rated
    already" and writes nothing."""
    dossier = returned(dbsession, citizen)
    _ = dossier.events  # read as the page was drawn
    dbsession.execute(insert(DossierEvent).values(
        dossier_id=dossier.id, at=AT, actor=citizen.username, actor_id=citizen.id, action="rate", from_state=10,
        to_state=10, details={"level": "satisfied", "comment": None}))
    dbsession.execute(update(Dossier).where(Dossier.id == dossier.id).values(version=Dossier.version + 1)
                      .execution_options(synchronize_session=False))
    with pytest.raises(ratings.Refused) as refused:
        ratings.rate(dbsession, dossier, citizen, "dissatisfied", "Tab thứ hai")
    assert refused.value.message == ratings.ALREADY_RATED
    assert [event.details["level"] for event in rate_events(dbsession, dossier)] == ["satisfied"]


def test_the_rated_dossiers_of_an_account_in_one_query(dbsession, citizen, stranger):
    first, second = returned(dbsession, citizen, 1), returned(dbsession, citizen, 2)
    others = returned(dbsession, stranger, 3)
    ratings.rate(dbsession, first, citizen, "satisfied", None)
    ratings.rate(dbsession, others, stranger, "satisfied", None)
    dbsession.flush()
    assert ratings.rated_dossiers(dbsession, citizen.id) == {first.id}
    assert second.id not in ratings.rated_dossiers(dbsession, citizen.id)


def test_clean_comment():
    assert ratings.clean_comment("  a\r\nb\rc  ") == "a\nb\nc"
    assert ratings.clean_comment("   ") is None and ratings.clean_comment(None) is None
    assert ratings.clean_comment(object()) is None  # a file sent in its place
