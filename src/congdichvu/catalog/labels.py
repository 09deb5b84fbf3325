"""Human words for the exchange format's codes, translatable."""
from ..i18n import _
from ..i18n.formatting import format_number

LEVELS = {
    "central": _("Central level"),
    "province": _("Province level"),
    "district": _("District level"),
    "commune": _("Commune level"),
}
AGENCY_KINDS = {
    "people_committee": _("People's Committee"),
    "department": _("Specialised office"),
    "police": _("Police"),
    "other": _("Other agency"),
}
CHANNELS = {
    "in_person": _("In person"),
    "online": _("Online"),
    "postal": _("By post"),
}
ONLINE_LEVELS = {
    1: _("Level 1"),
    2: _("Level 2"),
    3: _("Level 3"),
    4: _("Level 4"),
    None: _("Not classified"),
}
ONLINE_LEVEL_HINTS = {
    1: _("Information only"),
    2: _("Forms can be downloaded"),
    3: _("Submit the dossier online"),
    4: _("Submit and pay online"),
    None: _("Not classified"),
}
ONLINE_MODES = {
    "full": _("Fully online"),
    "partial": _("Partly online"),
    "none": _("Not online"),
}
FEE_KINDS = {"fee": _("Fee"), "charge": _("Charge")}
FEE_PER = {
    "dossier": _("per dossier"),
    "copy": _("per copy"),
    "page": _("per page"),
    "case": _("per case"),
    "other": _("see details"),
}
SORTS = {"name": _("Name (A–Z)"), "code": _("Procedure code")}

LABELS = {
    "level": LEVELS,
    "agency_kind": AGENCY_KINDS,
    "channel": CHANNELS,
    "online_level": ONLINE_LEVELS,
    "online_level_hint": ONLINE_LEVEL_HINTS,
    "online_mode": ONLINE_MODES,
    "fee_kind": FEE_KINDS,
    "fee_per": FEE_PER,
    "sort": SORTS,
}


def duration(value, unit):
    """``15 ngày làm việc``; 0 working days reads "the same working day"."""
    if unit == "working_day" and not value:
        return _("Within the working day")
    number = format_number(value)
    words = {
        "working_day": _("${n} working day(s)", mapping={"n": number}),
        "day": _("${n} day(s)", mapping={"n": number}),
        "working_hour": _("${n} working hour(s)", mapping={"n": number}),
    }
    return words[unit]
