"""Items and their topic matches: idempotent writes and the reads the bot and CLI need."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Evidence, Item, StoredMatch, TopicMatch
from storage.chunks import IN_CHUNK, chunked, in_ids, rows_in
from storage.errors import storage_errors
from storage.tables import ItemRow, MatchRow

_ITEMS: sa.Table = ItemRow.__table__  # type: ignore[attr-defined]
_MATCHES: sa.Table = MatchRow.__table__  # type: ignore[attr-defined]
# The statements a poll runs for every feed are built once, as module constants: building a
# select and computing its compiled-SQL cache key cost more than SQLite takes to run it
# (~80 µs of ~130 per statement, a dozen statements per feed). Core columns, not ORM ones:
# ORM-enabled statements cost more again; callers `flush()` where autoflush mattered.
_KNOWN_IDS = sa.select(_ITEMS.c.id).where(in_ids(_ITEMS.c.id))
_INSERT_ITEMS = sa.insert(_ITEMS)
_MATCHED_TOPICS = sa.select(_MATCHES.c.item_id, _MATCHES.c.topic).where(in_ids(_MATCHES.c.item_id))
_INSERT_MATCHES = sa.insert(_MATCHES)


def _item_values(item: Item) -> dict[str, object]:
    return {
        "id": item.id,
        "source": item.source,
        "source_name": item.source_name,
        "key": item.key,
        "title": item.title,
        "text": item.text,
        "link": item.link,
        "publisher": item.publisher,
        "language": item.language,
        "published": item.published,
        "published_origin": item.published_origin,
        "fetched": item.fetched,
        "source_ref": item.source_ref,
    }


def _item(row: ItemRow) -> Item:
    return Item(
        id=row.id,
        source=row.source,
        source_name=row.source_name,
        key=row.key,
        title=row.title,
        text=row.text,
        link=row.link,
        publisher=row.publisher,
        language=row.language,
        published=row.published,
        published_origin=row.published_origin,  # type: ignore[arg-type]
        fetched=row.fetched,
        source_ref=row.source_ref,
    )


def _topic_match(row: MatchRow) -> TopicMatch:
    evidence = Evidence(
        terms=tuple(row.terms),
        snippet=row.snippet,
        score=row.score,
        threshold=row.threshold,
        clauses=tuple(row.clauses),
    )
    return TopicMatch(topic=row.topic, evidence=evidence)


@storage_errors
def existing_item_ids(session: Session, ids: Iterable[str]) -> set[str]:
    """The subset of `ids` already stored."""
    return {row.id for row in rows_in(session, _KNOWN_IDS, list(dict.fromkeys(ids)))}


@storage_errors
def add_new_items(session: Session, items: Sequence[Item]) -> list[Item]:
    """Store the items not stored yet; return those (re-scans store nothing new).

    One multi-row INSERT, not one ORM object per item: a cold poll stores thousands.
    """
    unique = list({item.id: item for item in items}.values())
    known = existing_item_ids(session, (item.id for item in unique))
    fresh = [item for item in unique if item.id not in known]
    if fresh:
        rows = [_item_values(item) for item in fresh]
        session.execute(_INSERT_ITEMS, rows)
    return fresh


@storage_errors
def add_matches(
    session: Session, item_id: str, matches: Sequence[TopicMatch], *, now: datetime
) -> list[TopicMatch]:
    """Store matches for one item, skipping topics already stored; return the new ones."""
    return add_matches_many(session, {item_id: matches}, now=now)[item_id]


@storage_errors
def add_matches_many(
    session: Session, matches: Mapping[str, Sequence[TopicMatch]], *, now: datetime
) -> dict[str, list[TopicMatch]]:
    """Store matches for many items in one INSERT, skipping (item, topic) pairs already
    stored; return item id → its new matches (every given id is a key)."""
    ids = list(matches)
    known = {(row.item_id, row.topic) for row in rows_in(session, _MATCHED_TOPICS, ids)}
    fresh = {i: [m for m in matches[i] if (i, m.topic) not in known] for i in ids}
    rows = [
        {
            "item_id": item_id,
            "topic": m.topic,
            "terms": list(m.evidence.terms),
            "snippet": m.evidence.snippet,
            "score": m.evidence.score,
            "threshold": m.evidence.threshold,
            "clauses": list(m.evidence.clauses),
            "matched_at": now,
        }
        for item_id, new in fresh.items()
        for m in new
    ]
    if rows:
        session.execute(_INSERT_MATCHES, rows)
    return fresh


@storage_errors
def get_item(session: Session, item_id: str) -> StoredMatch | None:
    """One item with all its matches, or None; ids are matched case-insensitively."""
    row = session.get(ItemRow, item_id.strip().lower())
    if row is None:
        return None
    return _with_matches(session, [row])[0]


def _with_matches(session: Session, rows: Sequence[ItemRow]) -> list[StoredMatch]:
    ids = [r.id for r in rows]
    by_item: dict[str, list[MatchRow]] = {i: [] for i in ids}
    for chunk in chunked(ids):
        query = select(MatchRow).where(col(MatchRow.item_id).in_(chunk))
        for m in session.exec(query.order_by(col(MatchRow.topic))).all():
            by_item[m.item_id].append(m)
    result = []
    for row in rows:
        matches = by_item[row.id]
        matched_at = min((m.matched_at for m in matches), default=row.fetched)
        result.append(StoredMatch(_item(row), tuple(_topic_match(m) for m in matches), matched_at))
    return result


@storage_errors
def matched_items(
    session: Session,
    *,
    topic: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = True,
    limit: int | None = None,
) -> list[StoredMatch]:
    """Items that matched `topic` (any topic when None), by published date."""
    query = select(ItemRow).where(
        sa.exists().where(col(MatchRow.item_id) == col(ItemRow.id), *_topic_filter(topic))
    )
    if since is not None:
        query = query.where(col(ItemRow.published) >= since)
    if until is not None:
        query = query.where(col(ItemRow.published) < until)
    order = col(ItemRow.published).desc() if newest_first else col(ItemRow.published).asc()
    query = query.order_by(order, col(ItemRow.id))
    if limit is not None:
        query = query.limit(limit)
    return _with_matches(session, session.exec(query).all())


def _topic_filter(topic: str | None) -> list[sa.ColumnElement[bool]]:
    return [] if topic is None else [col(MatchRow.topic) == topic]


@storage_errors
def match_counts(session: Session, *, since: datetime) -> dict[str, int]:
    """Matches per topic for items published since `since`."""
    query = (
        select(MatchRow.topic, sa.func.count())
        .join(ItemRow, col(ItemRow.id) == col(MatchRow.item_id))
        .where(col(ItemRow.published) >= since)
        .group_by(col(MatchRow.topic))
    )
    return {topic: count for topic, count in session.exec(query).all()}


@storage_errors
def totals(session: Session) -> tuple[int, int]:
    """(items stored, matches stored)."""
    items = session.exec(select(sa.func.count()).select_from(ItemRow)).one()
    matches = session.exec(select(sa.func.count()).select_from(MatchRow)).one()
    return int(items), int(matches)


@storage_errors
def iter_item_batches(session: Session, size: int = IN_CHUNK) -> Iterator[list[Item]]:
    """Every stored item, in batches, by id (keyset pagination: memory stays bounded)."""
    after = ""
    while True:
        rows = session.exec(
            select(ItemRow).where(col(ItemRow.id) > after).order_by(col(ItemRow.id)).limit(size)
        ).all()
        if not rows:
            return
        yield [_item(row) for row in rows]
        after = rows[-1].id


@storage_errors
def stored_topics(session: Session, ids: Sequence[str]) -> dict[str, set[str]]:
    """item id → topics stored for it (items without matches are absent)."""
    result: dict[str, set[str]] = {}
    for chunk in chunked(ids):
        query = select(MatchRow.item_id, MatchRow.topic).where(col(MatchRow.item_id).in_(chunk))
        for item_id, topic in session.exec(query).all():
            result.setdefault(item_id, set()).add(topic)
    return result


@storage_errors
def remove_matches(session: Session, item_id: str, topics: Iterable[str]) -> int:
    """Delete an item's matches for `topics`; returns how many went."""
    result = session.execute(
        sa.delete(MatchRow).where(
            col(MatchRow.item_id) == item_id, col(MatchRow.topic).in_(list(topics))
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
