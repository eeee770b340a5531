"""The knowledge base: policy answers with their taxonomy links; search, save, and the answers for a category.

Search is a plain LIKE over title, keywords and body (every word must match somewhere), ranked title first,
then keywords, then body, newest first within a rank: the same SQL on SQLite and PostgreSQL.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, or_, select

from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.intake.catalog import like_pattern
from app.intake.models import Category, KbEntry, kb_entry_category
from app.org.models import User

TITLE_MAX, BODY_MAX, KEYWORDS_MAX = 200, 10000, 500
CATEGORIES_MAX = 100  # an answer belongs to a few taxonomy items
SEARCH_LIMIT = 50
RELATED_LIMIT = 5


@dataclass(frozen=True)
class EntryInput:
    title: str
    body: str
    keywords: str
    category_codes: list[str]
    active: bool = True


def _words(q: str) -> list[str]:
    return [w for w in re.split(r"[\s,，;；]+", q.strip().lower()) if w][:5]


def search_statement(q: str, *, category: Category | None = None, active_only: bool = True) -> Select[tuple[KbEntry]]:
    stmt = select(KbEntry)
    if active_only:
        stmt = stmt.where(KbEntry.active.is_(True))
    if category is not None:
        stmt = stmt.where(KbEntry.id.in_(_linked_to(category)))
    words = _words(q)
    if not words:
        return stmt.order_by(KbEntry.updated_at.desc(), KbEntry.id.desc())
    title, keywords, body = func.lower(KbEntry.title), func.lower(KbEntry.keywords), func.lower(KbEntry.body)
    conditions = []
    for word in words:
        pattern = like_pattern(word)
        conditions.append(or_(title.like(pattern, escape="\\"), keywords.like(pattern, escape="\\"),
                              body.like(pattern, escape="\\")))  # fmt: skip
    first = like_pattern(words[0])
    rank = case((title.like(first, escape="\\"), 0), (keywords.like(first, escape="\\"), 1), else_=2)
    return stmt.where(and_(*conditions)).order_by(rank, KbEntry.updated_at.desc(), KbEntry.id.desc())


def search_entries(q: str, *, category: Category | None = None, limit: int = SEARCH_LIMIT,
                   active_only: bool = True) -> list[KbEntry]:  # fmt: skip
    """`active_only=False` for editors: an answer switched off is found again, to be switched back on."""
    return list(db.session.scalars(search_statement(q, category=category, active_only=active_only).limit(limit)))


def _lineage(category: Category) -> list[int]:
    """The item and its ancestors: an answer linked to a branch serves every item below it."""
    ids: list[int] = []
    current: Category | None = category
    while current is not None and len(ids) < 4:
        ids.append(current.id)
        current = current.parent
    return ids


def _linked_to(category: Category) -> Select[tuple[int]]:
    return select(kb_entry_category.c.kb_entry_id).where(kb_entry_category.c.category_id.in_(_lineage(category)))


def related_entries(category: Category | None, *, limit: int = RELATED_LIMIT) -> list[KbEntry]:
    """The active answers for a case's category (linked to it or a branch above it), newest first."""
    if category is None:
        return []
    return search_entries("", category=category, limit=limit)


def get_entry(entry_id: int, *, active_only: bool = True) -> KbEntry:
    entry = db.session.get(KbEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None or (active_only and not entry.active):
        raise NotFoundError(_("No such answer."))
    return entry


def _check(data: EntryInput) -> tuple[dict[str, str], list[Category]]:
    errors: dict[str, str] = {}
    if not data.title.strip() or len(data.title) > TITLE_MAX:
        errors["title"] = _("A title is required (at most %(num)d characters).", num=TITLE_MAX)
    if not data.body.strip() or len(data.body) > BODY_MAX:
        errors["body"] = _("An answer is required (at most %(num)d characters).", num=BODY_MAX)
    if len(data.keywords) > KEYWORDS_MAX:
        errors["keywords"] = _("At most %(num)d characters.", num=KEYWORDS_MAX)
    codes = sorted(set(data.category_codes))
    if len(codes) > CATEGORIES_MAX:  # 70,000 codes passed PostgreSQL's 65,535 parameters of one statement: a 500
        errors["categories"] = _("At most %(num)d categories.", num=CATEGORIES_MAX)
        return errors, []
    found = list(db.session.scalars(select(Category).where(Category.code.in_(codes)))) if codes else []
    unknown = sorted(set(codes) - {c.code for c in found})
    if unknown:
        errors["categories"] = _("Unknown taxonomy codes: %(codes)s.", codes=", ".join(unknown[:20]))
    return errors, found


def save_entry(entry: KbEntry | None, data: EntryInput, *, actor: User, now: datetime) -> KbEntry:
    """Create (entry None) or change an answer; nothing is written on any error. The caller commits."""
    errors, categories = _check(data)
    if errors:
        raise ValidationError(_("Some fields need your attention."), errors)
    if entry is None:
        entry = KbEntry(created_at=now)
        db.session.add(entry)
    entry.title, entry.body, entry.keywords = data.title.strip(), data.body.strip(), data.keywords.strip()
    entry.active, entry.categories = data.active, categories
    entry.updated_at, entry.updated_by_id, entry.updated_by = now, actor.id, actor
    db.session.flush()
    return entry


DEMO_KNOWLEDGE = Path(__file__).with_name("demo_knowledge.json")


def seed_demo_knowledge(*, actor: User, now: datetime, path: Path = DEMO_KNOWLEDGE) -> int:
    """Add the demo answers whose title is not there yet, linked to those of their taxonomy items that exist."""
    have = set(db.session.scalars(select(KbEntry.title)))
    codes = set(db.session.scalars(select(Category.code)))
    items = [item for item in json.loads(path.read_text("utf-8")) if item["title"] not in have]
    for item in items:
        linked = [code for code in item["categories"] if code in codes]
        save_entry(None, EntryInput(item["title"], item["body"], item["keywords"], linked), actor=actor, now=now)
    return len(items)
