"""The thesaurus editors keep, in the database.

Search reads it through ``IndexManager.thesaurus()``: the synonyms.table of
the active entries, which each process loads again when the outbox says it
changed (``outbox.thesaurus_changed``), so an editor's change reaches every
server without a restart. Editors change it through ``add``, ``change`` and
``delete``, each of which writes, in the caller's transaction, the entry, a
revision (what it became, who, when), an audit event and the outbox row.

Seeding: an empty table is filled from the shipped file (``synonyms.txt``)
by ``congdichvu-db upgrade`` once the schema is at head, and before an
editor's first change otherwise; until then search uses the file itself,
so a database never seeded searches as the shipped thesaurus says.
"""
from datetime import datetime, timezone

from sqlalchemy import select, update

from ..accounts.services import record
from ..forms import one_line
from ..i18n import _
from . import synonyms
from .analysis import fold
from .models import (
    CONCEPT_CHARS,
    EXPANSION_CHARS,
    PHRASE_CHARS,
    SIDE_PHRASES,
    ThesaurusEntry,
    ThesaurusRevision,
)
from .outbox import thesaurus_changed

#: who the revisions of seeded entries name
SEED_AUTHOR = "synonyms.txt"
ADDED, CHANGED, DELETED = "added", "changed", "deleted"


class Conflict(Exception):
    """The entry changed (or was deleted) since the editor read it."""


def as_entry(row):
    """The synonyms.Entry of a ThesaurusEntry (or ThesaurusRevision) row."""
    return synonyms.Entry(tuple(row.typed), tuple(row.expansions), row.concept or "")


def _seeded(session):
    return session.scalar(select(ThesaurusEntry.id).limit(1)) is not None


def shipped_entries():
    return synonyms.entries(synonyms.SYNONYMS_FILE.read_text(encoding="utf-8"))


def entries_in_use(session):
    """[(entry id, synonyms.Entry)] of what search uses: the active entries
    in the order they were added; (None, Entry) of the shipped file's while
    the table was never seeded."""
    rows = session.scalars(
        select(ThesaurusEntry).where(ThesaurusEntry.active.is_(True), ThesaurusEntry.deleted.is_(False))
        .order_by(ThesaurusEntry.id)
    ).all()
    if rows or _seeded(session):
        return [(row.id, as_entry(row)) for row in rows]
    return [(None, entry) for entry in shipped_entries()]


def already_typed(session, entry, replacing=None):
    """[(phrase, entry id)] of ``entry``'s typed phrases that another entry
    in use already has (compared as search compares them: spelled the same);
    ``replacing`` is the id of the entry being edited."""
    taken = {}
    for number, found in entries_in_use(session):
        if number is not None and number != replacing:
            for phrase in found.typed:
                taken.setdefault(synonyms.spelled(phrase), number)
    return [(phrase, taken[synonyms.spelled(phrase)]) for phrase in entry.typed if synonyms.spelled(phrase) in taken]


def load_table(session):
    """The table search uses now ({folded typed syllables: [expansion]})."""
    return synonyms.table(entry for _id, entry in entries_in_use(session))


def table_with(session, entry, replacing=None):
    """The table search would use with ``entry`` added, or put in the place
    of entry ``replacing`` (an id; None: added), for a preview."""
    kept = [found for number, found in entries_in_use(session) if replacing is None or number != replacing]
    return synonyms.table([*kept, entry])


def seed(session, actor=None):
    """Fill an empty table with the shipped file's entries; how many were
    added (0 when it held entries, deleted ones included)."""
    if _seeded(session):
        return 0
    author = actor.username if actor is not None else SEED_AUTHOR
    found = shipped_entries()
    for entry in found:
        _revise(session, _new_row(entry, author), ADDED, author)
    if actor is not None:
        record(session, "thesaurus.seeded", actor=actor, target=SEED_AUTHOR, details={"entries": len(found)})
    thesaurus_changed(session)
    return len(found)


def _new_row(entry, author, active=True):
    now = datetime.now(timezone.utc)
    return ThesaurusEntry(typed=list(entry.typed), expansions=list(entry.expansions), concept=entry.concept,
                          active=active, deleted=False, version=1, created_by=author, created_at=now,
                          updated_by=author, updated_at=now)


def _revise(session, row, action, author):
    """Write ``row`` (flushed for its id) and its revision of ``action``."""
    session.add(row)
    session.flush()
    session.add(ThesaurusRevision(entry_id=row.id, number=row.version, action=action, typed=list(row.typed),
                                  expansions=list(row.expansions), concept=row.concept, active=row.active,
                                  author=author, created_at=row.updated_at))


def _audit(session, action, row, actor):
    record(session, f"thesaurus.{action}", actor=actor, target=as_entry(row).line()[:255],
           details={"entry": row.id, "revision": row.version})


def add(session, entry, actor, active=True):
    """Add ``entry`` (a synonyms.Entry the caller checked with ``problems``)
    for ``actor`` (a User); the new ThesaurusEntry."""
    seed(session, actor)
    row = _new_row(entry, actor.username, active)
    _revise(session, row, ADDED, actor.username)
    _audit(session, ADDED, row, actor)
    thesaurus_changed(session)
    return row


def change(session, row, version, actor, entry=None, active=True, delete=False):
    """Give entry ``row`` the content ``entry`` and ``active``, or delete it
    (``delete``), if it is still at ``version`` (the one the editor saw):
    one conditional UPDATE decides between two editors at once. Raises
    Conflict when it is not (changed or deleted meanwhile)."""
    now = datetime.now(timezone.utc)
    values = {"version": version + 1, "updated_by": actor.username, "updated_at": now}
    if delete:
        values["deleted"] = True
    else:
        values.update(typed=list(entry.typed), expansions=list(entry.expansions), concept=entry.concept,
                      active=active)
    done = session.execute(
        update(ThesaurusEntry)
        .where(ThesaurusEntry.id == row.id, ThesaurusEntry.version == version, ThesaurusEntry.deleted.is_(False))
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise Conflict()
    session.refresh(row)
    action = DELETED if delete else CHANGED
    _revise(session, row, action, actor.username)
    _audit(session, action, row, actor)
    thesaurus_changed(session)
    return row


def delete(session, row, version, actor):
    return change(session, row, version, actor, delete=True)


def revisions(session, entry_id):
    """The entry's revisions, newest first."""
    return session.scalars(
        select(ThesaurusRevision).where(ThesaurusRevision.entry_id == entry_id)
        .order_by(ThesaurusRevision.number.desc())
    ).all()


def listed(session, text=""):
    """The entries not deleted, by concept then typed phrase; those with a
    phrase, expansion or concept holding ``text`` (any case, any marks)."""
    rows = session.scalars(select(ThesaurusEntry).where(ThesaurusEntry.deleted.is_(False))).all()
    wanted = " ".join(fold(text).split())
    if wanted:
        rows = [row for row in rows if wanted in fold(" | ".join([*row.typed, *row.expansions, row.concept or ""]))]
    return sorted(rows, key=lambda row: (fold(row.concept or ""), [fold(t) for t in row.typed]))


# -- what an editor types ------------------------------------------------------------


def phrases(raw, separators):
    """The phrases of a field: split at any of ``separators`` (and line
    breaks), each on one line, blanks and repeats dropped."""
    text = raw if isinstance(raw, str) else ""
    for separator in separators:
        text = text.replace(separator, "\n")
    return list(dict.fromkeys(one_line(part).strip() for part in text.splitlines() if part.strip()))


def read_entry(typed, expansions, concept=""):
    """A synonyms.Entry of the form's fields: typed phrases separated by
    commas or lines, expansions by lines or "|" (as in synonyms.txt)."""
    return synonyms.Entry(tuple(phrases(typed, ",")), tuple(phrases(expansions, "|")),
                          one_line(concept if isinstance(concept, str) else "").strip())


def problems(entry, common=None):
    """What keeps ``entry`` from being saved: [TranslationString], empty
    when it may be. ``common`` tells the catalogue's commonest words (see
    synonyms.refusal)."""
    found = []
    if not entry.typed:
        found.append(_("Write at least one phrase people type."))
    if not entry.expansions:
        found.append(_("Write at least one phrase in the catalogue's words (what the typed phrase stands for)."))
    if len(entry.typed) > SIDE_PHRASES or len(entry.expansions) > SIDE_PHRASES:
        found.append(_("An entry holds at most ${max} phrases on each side.", mapping={"max": SIDE_PHRASES}))
    for phrase in entry.typed:
        found.extend(_typed_problems(phrase, common))
    for phrase in entry.expansions:
        if not _has_word(phrase):
            found.append(_("“${phrase}” holds no word to search for.", mapping={"phrase": phrase}))
        elif len(phrase) > EXPANSION_CHARS:
            found.append(_("“${phrase}” is longer than ${max} characters.",
                           mapping={"phrase": phrase[:40] + "…", "max": EXPANSION_CHARS}))
    if len(entry.concept) > CONCEPT_CHARS:
        found.append(_("The concept's name is longer than ${max} characters.", mapping={"max": CONCEPT_CHARS}))
    return found


def _has_word(phrase):
    """Whether ``phrase`` holds a letter or a digit (punctuation alone
    matches nothing: a side of it is empty)."""
    return any(character.isalnum() for character in phrase)


def _typed_problems(phrase, common=None):
    if len(phrase) > PHRASE_CHARS:
        return [_("“${phrase}” is longer than ${max} characters.",
                  mapping={"phrase": phrase[:40] + "…", "max": PHRASE_CHARS})]
    reason = synonyms.refusal(phrase, common) if _has_word(phrase) else "empty"
    if reason == "stop_like":
        return [_("“${phrase}” is made only of words that nearly every search holds (such as “thủ tục”, “làm”, "
                  "“cấp”) or of numbers: an entry for it would change almost every search. Write a phrase that "
                  "says what people want, such as “sổ đỏ”.", mapping={"phrase": phrase})]
    if reason is not None:
        return [_("“${phrase}” holds no word to search for.", mapping={"phrase": phrase})]
    return []
