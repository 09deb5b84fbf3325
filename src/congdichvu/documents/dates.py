"""Instants and dates written out as the forms write them.

Circular 01/2018/TT-VPCP's forms spell times in words and numbers:
"14 giờ 05 phút, ngày 31 tháng 03 năm 2018", and date their slips
"Thái Nguyên, ngày 31 tháng 03 năm 2018" (Decree 30/2020/NĐ-CP: the place,
then the date). Every number has two digits, as in the forms' examples.
Instants are aware UTC (a naive one raises TypeError) and are written in
the city's time, Asia/Ho_Chi_Minh.
"""
from decimal import Decimal

from ..i18n import _
from ..i18n.formatting import format_number, to_local


def _parts(moment):
    local = to_local(moment)
    return {"hour": f"{local.hour:02d}", "minute": f"{local.minute:02d}", "day": f"{local.day:02d}",
            "month": f"{local.month:02d}", "year": f"{local.year}"}


def written_instant(moment, translate):
    """``moment`` (aware) as "14 giờ 05 phút, ngày 31 tháng 03 năm 2018";
    "" for None."""
    if moment is None:
        return ""
    return translate(_("${hour}:${minute}, day ${day} month ${month} year ${year}", mapping=_parts(moment)))


def written_date(moment, translate):
    """The local date of ``moment`` (aware) as "ngày 31 tháng 03 năm 2018";
    "" for None."""
    if moment is None:
        return ""
    return translate(_("day ${day} month ${month} year ${year}", mapping=_parts(moment)))


def place_and_date(place, moment, translate):
    """The date line of a slip: "Thái Nguyên, ngày 31 tháng 03 năm 2018";
    without a place, "Ngày 31 tháng 03 năm 2018"."""
    date = written_date(moment, translate)
    if not place:
        return date[:1].upper() + date[1:]
    return translate(_("${place}, ${date}", mapping={"place": place, "date": date}))


def working_days(days, translate):
    """A processing time of ``days`` working days (int or Decimal):
    "05 ngày làm việc", "0,5 ngày làm việc"."""
    whole = isinstance(days, int) or (isinstance(days, Decimal) and days == days.to_integral_value())
    count = f"{int(days):02d}" if whole else format_number(days)
    return translate(_("${days} working days", mapping={"days": count}))
