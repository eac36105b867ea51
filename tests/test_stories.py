"""Stories: same-event items from different outlets cluster, other events on the topic do not;
the store keeps membership, event dates, candidates and the alert to edit."""

from __future__ import annotations

import itertools
import random
import struct
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from bot.event_terms import ACTION, ENTITY, compile_lexicon, event_terms, kind_of, lexicon, term
from bot.models import Item
from bot.stories import (
    NEAR_DUPLICATE,
    THRESHOLD,
    Fingerprint,
    StoryCache,
    StoryCandidate,
    StoryIndex,
    assign_stories,
    assign_story,
    fingerprint,
    fingerprint_text,
    group_batches,
    minhash_jaccard,
    similarity,
)
from bot.stories.similarity import (
    ENVOYS_STEP,
    OTHER_STEP,
    STEP_HOURS,
    _Terms,
    other_actors,
    recency,
)
from bot.stories.steps import other_action, other_step
from storage import chats, outbox
from storage import items as item_store
from storage import stories as story_store
from storage.engine import session_scope
from tests.factories import T0, item, topic_match

# Three outlets on one event, a later event that recalls it, and another event on the topic.
EN = {
    "freeze-reuters": (
        "Armenia freezes CSTO participation",
        "Armenia has frozen its participation in the Collective Security Treaty Organization, "
        "Prime Minister Nikol Pashinyan said on Friday, accusing the Moscow-led alliance of "
        "failing to protect the country.",
    ),
    "freeze-france24": (
        "Pashinyan: Yerevan has frozen its participation in the Russia-led bloc",
        "Armenian Prime Minister Nikol Pashinyan told France 24 that Yerevan had effectively "
        "frozen its participation in the CSTO because the treaty had not been implemented with "
        "regard to Armenia.",
    ),
    "freeze-ap": (
        "Armenia suspends involvement in CSTO, PM says",
        "Armenia has suspended its involvement in the Russian-led Collective Security Treaty "
        "Organization, Prime Minister Nikol Pashinyan said in an interview on Thursday, in a "
        "further sign of the rift with Moscow.",
    ),
    "drills": (
        "CSTO holds exercises in Belarus",
        "Troops from Russia, Belarus, Kazakhstan, Kyrgyzstan and Tajikistan began Collective "
        "Security Treaty Organization drills near Vitebsk on Monday. Armenia, which has frozen "
        "its participation in the bloc, did not send a contingent.",
    ),
    "summit": (
        "Armenia to skip CSTO summit in Minsk",
        "Prime Minister Nikol Pashinyan will not attend the CSTO summit in Minsk next month, his "
        "office said, as Armenia's participation in the Russia-led bloc remains frozen.",
    ),
}
RU = {
    "freeze-ria": (
        "Армения заморозила участие в ОДКБ",
        "Армения заморозила свое участие в Организации Договора о коллективной безопасности, "
        "заявил премьер-министр Никол Пашинян в интервью телеканалу France 24.",
    ),
    "freeze-tass": (
        "Пашинян: Ереван приостановил участие в работе ОДКБ",
        "Премьер-министр Армении Никол Пашинян заявил, что Ереван фактически заморозил участие "
        "в ОДКБ, поскольку договор не работает в отношении Армении.",
    ),
    "freeze-kommersant": (
        "Армения фактически вышла из работы ОДКБ — премьер",
        "Ереван де-факто заморозил членство в ОДКБ, сообщил Никол Пашинян. По его словам, "
        "организация не выполнила своих обязательств перед Арменией.",
    ),
    "drills-ru": (
        "ОДКБ проводит учения в Белоруссии",
        "Военнослужащие России, Белоруссии, Казахстана, Киргизии и Таджикистана начали учения "
        "ОДКБ под Витебском. Армения, заморозившая участие в организации, своих военных не "
        "направила.",
    ),
}
SANCTIONS = {
    "eu-adopts": (
        "EU adopts 11th sanctions package against Russia",
        "European Union governments on Friday formally adopted an eleventh package of sanctions "
        "against Russia, including a new tool to curb the circumvention of existing trade "
        "restrictions through third countries.",
    ),
    "eu-approves": (
        "Brussels approves new round of Russia sanctions targeting circumvention",
        "The EU has approved its 11th sanctions package against Moscow, which for the first "
        "time allows the bloc to restrict exports to third countries suspected of helping "
        "Russia get around sanctions.",
    ),
    "us-banks": (
        "US imposes sanctions on Russian banks and gold sector",
        "The US Treasury on Friday imposed sanctions on several Russian banks and companies in "
        "the gold sector, widening restrictions aimed at cutting Moscow's revenue for the war.",
    ),
}


# Hours after T0 each report was published: one event's reports within hours, the next event on
# the topic days later (as the freeze interview, the drills and the summit announcement were).
HOURS = {
    "freeze-reuters": 0, "freeze-france24": 3, "freeze-ap": 6, "drills": 50, "summit": 100,
    "freeze-ria": 1, "freeze-tass": 2, "freeze-kommersant": 8, "drills-ru": 52,
    "eu-adopts": 0, "eu-approves": 4, "us-banks": 5,
}  # fmt: skip


def _items(texts: dict[str, tuple[str, str]], order: list[str] | None = None) -> list[Item]:
    return [
        item(
            key,
            source=f"https://{key}.example/rss",
            title=texts[key][0],
            text=texts[key][1],
            published=T0 + timedelta(hours=HOURS[key]),
        )
        for key in order or list(texts)
    ]


def _clusters(items: list[Item]) -> set[frozenset[str]]:
    """The stories formed when each item arrives on its own, in the order given."""
    return {frozenset(i.key for i in story) for story in group_batches([i] for i in items)}


@pytest.mark.parametrize("seed", range(6))
def test_three_english_reports_of_one_event_form_one_story_in_any_order(seed):
    order = list(EN)
    random.Random(seed).shuffle(order)
    assert _clusters(_items(EN, order)) == {
        frozenset({"freeze-reuters", "freeze-france24", "freeze-ap"}),
        frozenset({"drills"}),
        frozenset({"summit"}),
    }


@pytest.mark.parametrize("seed", range(6))
def test_three_russian_reports_of_one_event_form_one_story_in_any_order(seed):
    order = list(RU)
    random.Random(seed).shuffle(order)
    assert _clusters(_items(RU, order)) == {
        frozenset({"freeze-ria", "freeze-tass", "freeze-kommersant"}),
        frozenset({"drills-ru"}),
    }


def test_another_actor_on_the_same_topic_is_another_story():
    assert _clusters(_items(SANCTIONS)) == {
        frozenset({"eu-adopts", "eu-approves"}),
        frozenset({"us-banks"}),
    }


def test_same_event_pairs_score_above_the_threshold_and_other_events_below():
    fps = {k: fingerprint_text(*v) for k, v in {**EN, **RU}.items()}
    freeze = ["freeze-reuters", "freeze-france24", "freeze-ap", "freeze-ria", "freeze-tass"]
    for a, b in itertools.combinations(freeze, 2):  # English and Russian alike
        assert similarity(fps[a], fps[b]) >= THRESHOLD + 0.2, (a, b)
    gap = timedelta(hours=HOURS["drills"])  # the drills began two days after the interview
    for a in freeze:
        assert similarity(fps[a], fps["drills"], gap=gap) < THRESHOLD
        assert similarity(fps[a], fps["drills"]) == similarity(fps["drills"], fps[a])


def test_what_tells_two_events_apart_vetoes_the_pair_whatever_else_they_share():
    package = "{} package of sanctions against Russia adopted by EU governments, including a ban"
    eleventh = fingerprint_text("EU adopts 11th sanctions package", package.format("The 11th"))
    twelfth = fingerprint_text("EU adopts 12th sanctions package", package.format("The 12th"))
    twelfth_ru = fingerprint_text("ЕС утвердил 12-й пакет санкций", "Двенадцатый пакет санкций.")
    assert similarity(eleventh, twelfth) == 0.0  # ordinals
    first_time = fingerprint_text(
        "EU targets Russian LNG for the first time in new sanctions package",
        "The 12th package of sanctions against Russia adopted by EU governments bans LNG.",
    )
    assert similarity(first_time, twelfth) >= THRESHOLD  # "first time", "fourth year": no ordinal
    assert similarity(twelfth, twelfth_ru) >= THRESHOLD  # the same ordinal, either language
    minsk = fingerprint_text(
        "CSTO summit opens in Minsk", "Leaders of the Russia-led bloc met without Armenia."
    )
    astana = fingerprint_text(
        "CSTO summit opens in Astana", "The bloc's leaders gathered; Armenia stayed away."
    )
    assert similarity(minsk, astana) == 0.0  # venues
    recognises = fingerprint_text(
        "Syria recognises Donetsk and Luhansk", "Damascus recognised the two regions."
    )
    cuts_ties = fingerprint_text(
        "Ukraine cuts ties with Syria over recognition", "Kyiv cut ties with Damascus."
    )
    assert similarity(recognises, cuts_ties) == 0.0  # opposite main actions


def test_hyphenated_group_names_read_as_the_group():
    (g7,) = {t for t in event_terms("G7") if kind_of(t) == ENTITY}
    assert g7 in set(event_terms("G-7 Moves Ahead With Russian Oil Cap"))  # AP style
    assert set(event_terms("G-20 summit")) == set(event_terms("G20 summit"))


def test_a_phrasal_verb_is_its_action_only_with_its_particle():
    def actions(text: str) -> set[int]:
        return {t for t in event_terms(text) if kind_of(t) == ACTION}

    urge, label = {term(ACTION, "urge")}, {term(ACTION, "label")}
    assert actions("EU calls for restraint in Karabakh") == urge
    assert actions("Rosneft calls German takeover illegal") == label  # a statement, no request
    assert actions("India calls US tariff move 'unfair'") == label
    assert actions("Kremlin pulls out of the grain deal") == {term(ACTION, "leave")}
    assert actions("Moscow pulls the plug") == set()
    assert actions("Tokayev rules it out") == {term(ACTION, "refuse")}  # the particle two words on
    # the wire's other words for an act: cutting banks off SWIFT bans them; sending a mission
    assert actions("EU excludes 7 Russian banks from SWIFT") == {term(ACTION, "ban")}
    assert actions("Банки отключат от SWIFT") == {term(ACTION, "ban")}
    assert actions("ОДКБ отправит миротворцев") == {term(ACTION, "deploy")}


def test_a_negated_or_refused_action_is_read_as_its_negation():
    def actions(text: str) -> set[int]:
        return {t for t in event_terms(text) if kind_of(t) == ACTION}

    skip, refuse = {term(ACTION, "skip")}, {term(ACTION, "refuse")}
    assert actions("Pashinyan will not attend the summit in Minsk") == skip
    assert actions("Pashinyan won't attend the summit") == skip
    assert actions("Пашинян не примет участия в саммите") == skip
    assert actions("Пашинян пропустит саммит") == skip
    assert actions("Армения не будет участвовать в саммите ОДКБ") == skip
    assert actions("Пашинян не приедет на саммит ОДКБ") == skip  # not coming is skipping it
    assert actions("Putin will not visit Yerevan for the summit") == skip
    assert actions("Саммит в Ереване: без подписи хозяина") == refuse
    assert actions("Пашинян отказался подписывать договор") == refuse
    assert actions("Zelenskyy rules out recognising Russian control of Crimea") == {
        term(ACTION, "refuse"),
        term(ACTION, "non_recognition"),
    }
    assert actions("Pashinyan attends the summit") == {term(ACTION, "attend")}
    # rejecting a thing is not refusing to act: no veto against the signing or the adoption
    assert actions("UN members reject Russia's claim") == {term(ACTION, "reject")}
    assert actions("США отказались от российской нефти") == {term(ACTION, "reject")}
    assert actions("США отказались покупать российскую нефть") == refuse  # to act: the next too
    # an action with no entry under `negations` is refused, not done; one not held is cancelled
    assert actions("Moscow will not export gas to Europe") == refuse
    assert actions("Минск не будет импортировать нефть") == refuse
    assert actions("Саммит в Минске не прошел") == {term(ACTION, "cancel")}
    assert actions("Security Council fails to adopt text on Ukraine referenda") == refuse
    assert actions("EU failed to agree on new sanctions package") == refuse
    # negation reaches three words: a later action is itself again
    assert actions("not a single objection as leaders sign the treaty") == {term(ACTION, "sign")}
    refused = fingerprint_text(
        "Пашинян отказался подписывать декларацию саммита ОДКБ в Ереване",
        "Премьер-министр Армении не стал подписывать итоговую декларацию саммита ОДКБ.",
    )
    unsigned = fingerprint_text(
        "Саммит ОДКБ в Ереване: без подписи хозяина",
        "Лидеры стран ОДКБ собрались в Ереване, но Пашинян декларацию подписывать отказался.",
    )
    assert similarity(refused, unsigned) >= THRESHOLD  # not vetoed as "refuse" against "sign"


def test_a_syndicated_copy_with_a_new_headline_is_a_near_duplicate():
    body = " ".join(EN["drills"][1] for _ in range(3))
    original = fingerprint_text("CSTO holds exercises in Belarus", body)
    copy = fingerprint_text("Russia-led bloc drills near Vitebsk", body + " Reporting by staff.")
    assert similarity(original, copy) >= NEAR_DUPLICATE


def test_a_story_only_takes_items_within_its_time_window():
    # A copy of the report (a near-duplicate scores the same at any distance in the window).
    fp = fingerprint_text(*EN["freeze-reuters"])
    other = fingerprint_text(EN["freeze-reuters"][0], EN["freeze-reuters"][1] + " (Reuters)")
    candidate = StoryCandidate(7, other, T0)
    assert assign_story(fp, T0 + timedelta(hours=71), [candidate]) == 7
    assert assign_story(fp, T0 + timedelta(hours=73), [candidate]) is None
    assert assign_story(fp, T0 - timedelta(days=4), [candidate]) is None


def test_an_item_is_first_placed_with_its_closest_member_ties_going_to_the_older_story():
    fp = fingerprint_text(*EN["freeze-reuters"])
    same = fingerprint_text(EN["freeze-reuters"][0], EN["freeze-reuters"][1] + " (Reuters)")
    other_outlet = fingerprint_text(*EN["freeze-france24"])
    drills = fingerprint_text(*EN["drills"])
    both = [StoryCandidate(5, same, T0), StoryCandidate(2, other_outlet, T0)]
    assert assign_story(fp, T0, both) == 5  # the near-copy
    assert assign_story(fp, T0, [StoryCandidate(9, same, T0), StoryCandidate(4, same, T0)]) == 4
    assert assign_story(fp, T0, [StoryCandidate(2, drills, T0 + timedelta(hours=50))]) is None
    assert assign_story(fp, T0, []) is None


def test_stories_of_one_event_become_one_when_a_report_bridges_them():
    """Placing changes no other story; settling the newcomer's neighbourhood re-clusters it:
    the three reports of one event are one story, under the key most of them held."""
    index = StoryIndex()
    reuters = fingerprint_text(*EN["freeze-reuters"])
    tass = fingerprint_text(*RU["freeze-tass"])
    index.add(StoryCandidate(1, reuters, T0, "reuters"))
    index.add(StoryCandidate(2, tass, T0, "tass"))
    bridge = fingerprint_text(*RU["freeze-ria"])  # close to both
    assert index.assign(bridge, T0) == 1  # a question changes nothing
    key = index.place(bridge, T0)
    assert key in (1, 2)
    index.add(StoryCandidate(key, bridge, T0, "ria"), count=False)
    moved = index.settle([2])
    assert index.story_at(0) == index.story_at(1) == index.story_at(2) == key
    assert [c.item_id for c in moved] == (["tass"] if key == 1 else ["reuters"])
    assert index.settle([2]) == []  # settled: nothing moves twice


def test_settling_splits_a_story_whose_members_tell_two_events():
    """A report placed with the nearest story of its time, before the story of its own event
    existed, leaves it when the neighbourhood is re-clustered."""
    index = StoryIndex()
    freeze = [fingerprint_text(*EN["freeze-reuters"]), fingerprint_text(*RU["freeze-tass"])]
    drills = [fingerprint_text(*EN["drills"]), fingerprint_text(*RU["drills-ru"])]
    later = T0 + timedelta(hours=50)  # the drills began two days after the freeze
    for n, (fp, when) in enumerate([(freeze[0], T0), (freeze[1], T0), (drills[0], later)]):
        index.add(StoryCandidate(1, fp, when, f"m{n}"))  # one story holding both events
    index.add(StoryCandidate(1, drills[1], later, "m3"), count=False)
    index.settle([3])
    assert index.story_at(0) == index.story_at(1) == 1
    assert index.story_at(2) == index.story_at(3) != 1


def test_fingerprints_round_trip_through_bytes_and_reject_garbage():
    fp = fingerprint(_items(RU)[0])
    blob = fp.to_bytes()
    assert Fingerprint.from_bytes(blob) == fp
    assert len(blob) < 600
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(b"\x09garbage")
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(blob[:-1])


def _old_blob(version: int, title: list[int], terms: list[int], sketch: list[int]) -> bytes:
    values = [*title, *terms, *sketch]
    head = struct.pack(">BHHH", version, len(title), len(terms), len(sketch))
    return head + struct.pack(f">{len(values)}I", *values)


def test_fingerprints_of_earlier_versions_still_read():
    """Rows stored before event terms: their word hashes read as words, so old rows of one
    event still join each other; a version-2 sketch still finds copies of new reports."""
    words = [0xF000_0001, 0x1234_5678, 0x8765_4321]
    fp = fingerprint_text(*EN["freeze-reuters"])
    v2 = Fingerprint.from_bytes(_old_blob(2, words[:2], words, list(fp.minhash)))
    assert list(v2.title) == [w & 0x1FFF_FFFF for w in words[:2]]  # kind bits cleared: words
    assert v2.minhash == fp.minhash and similarity(v2, fp) >= NEAR_DUPLICATE
    v2_again = Fingerprint.from_bytes(_old_blob(2, words[:2], words, []))
    assert similarity(v2, v2_again) >= THRESHOLD
    v1 = Fingerprint.from_bytes(_old_blob(1, words[:2], words, list(range(64))))
    assert len(v1.minhash) == 0  # version 1: permutation minima, not comparable


def test_near_duplicate_estimate_tracks_the_true_shingle_overlap():
    words = [f"w{i}" for i in range(400)]
    base = fingerprint_text("t", " ".join(words))
    for kept in (100, 200, 300):  # the copy shares its first `kept` words, then diverges
        copy = fingerprint_text("t", " ".join(words[:kept] + [f"x{i}" for i in range(kept, 400)]))
        shared = kept - 2 + 1  # "t" plus the words' 3-shingles in common
        union = 2 * (400 - 2 + 1) - shared
        assert abs(minhash_jaccard(base, copy) - shared / union) < 0.15, kept


def test_empty_items_have_a_fingerprint_and_match_nothing():
    empty = fingerprint_text("", "")
    assert similarity(empty, empty) == 0.0
    assert Fingerprint.from_bytes(empty.to_bytes()) == empty


# --- storage -------------------------------------------------------------------------------


def _store(engine, items: list[Item]) -> dict[str, int]:
    """Store items and assign their stories as the pipeline does; return key -> story id."""
    with session_scope(engine) as s:
        item_store.add_new_items(s, items)
        by_id = assign_stories(story_store.StoryRows(s), items, now=T0)
    return {it.key: by_id[it.id] for it in items}


def test_attaching_items_builds_stories_with_members_earliest_first(engine):
    items = _items(EN)
    ids = _store(engine, items)
    freeze = {ids["freeze-reuters"], ids["freeze-france24"], ids["freeze-ap"]}
    assert len(freeze) == 1 and len(set(ids.values())) == 3
    story_id = ids["freeze-ap"]
    with Session(engine) as s:
        members = story_store.story_members(s, story_id)
        assert [m.key for m in members] == ["freeze-reuters", "freeze-france24", "freeze-ap"]
        assert story_store.story_of(s, items[0].id) == story_id
        assert story_store.story_of(s, "000000000000") is None
        info = story_store.get_story(s, story_id)
        assert info is not None and info.member_count == 3
        assert info.lead_item_id == items[0].id and info.event_date == T0


def test_attach_is_idempotent(engine):
    it = _items(EN)[0]
    first = _store(engine, [it])["freeze-reuters"]
    with session_scope(engine) as s:
        assert story_store.attach(s, it.id, None, fingerprint(it).to_bytes(), now=T0) == first
        assert story_store.get_story(s, first).member_count == 1  # type: ignore[union-attr]


def test_event_date_is_the_earliest_reliable_date(engine):
    fetched_only = item(
        "a",
        title=EN["freeze-ap"][0],
        text=EN["freeze-ap"][1],
        published=T0 - timedelta(hours=5),
        published_origin="fetched",
    )
    from_feed = item(
        "b",
        title=EN["freeze-reuters"][0],
        text=EN["freeze-reuters"][1],
        published=T0,
        source="https://other.example/rss",
    )
    earlier = item(
        "c",
        title=EN["freeze-france24"][0],
        text=EN["freeze-france24"][1],
        published=T0 - timedelta(hours=2),
        source="https://third.example/rss",
    )
    ids = _store(engine, [fetched_only, from_feed, earlier])
    assert len(set(ids.values())) == 1
    with Session(engine) as s:
        info = story_store.get_story(s, ids["a"])
    assert info is not None and info.event_date_reliable
    assert info.event_date == T0 - timedelta(hours=2)


def test_recent_candidates_carry_fingerprints_within_the_range(engine):
    items = _items(EN)
    ids = _store(engine, items)
    with Session(engine) as s:
        cands = story_store.recent_candidates(s, T0 + timedelta(hours=1), T0 + timedelta(hours=50))
    hours = [3, 6, 50]  # freeze-france24, freeze-ap, drills
    assert [c.published for c in cands] == [T0 + timedelta(hours=h) for h in hours]
    assert cands[0].story_id == ids["freeze-france24"]
    assert Fingerprint.from_bytes(cands[0].fingerprint) == fingerprint(items[1])


def test_attaching_an_unknown_item_is_a_storage_error(engine):
    from bot.errors import StorageError

    with session_scope(engine) as s, pytest.raises(StorageError, match="not stored"):
        story_store.attach(s, "ffffffffffff", None, fingerprint_text("a", "b").to_bytes(), now=T0)


def test_alerted_message_finds_the_first_alert_sent_for_the_story(engine):
    items = _items(EN)
    with session_scope(engine) as s:
        chats.touch_chat(
            s, 42, chat_type="private", title=None, user_language="en", now=T0 - timedelta(days=1)
        )
        chats.subscribe(s, 42, ["csto"], thread_id=0, now=T0 - timedelta(days=1))
    ids = _store(engine, items)
    story_id = ids["freeze-reuters"]
    with session_scope(engine) as s:
        for it in items[:2]:
            item_store.add_matches(s, it.id, [topic_match("csto")], now=T0)
            outbox.enqueue_alerts(s, it.id, ["csto"], now=T0)
    with session_scope(engine) as s:
        assert story_store.alerted_message(s, 42, story_id) is None
        entries = outbox.due_entries(s, now=T0)
        outbox.mark_sent(s, entries[0].id, message_id=501, now=T0 + timedelta(minutes=1))
    with session_scope(engine) as s:
        assert story_store.alerted_message(s, 42, story_id) == (501, T0 + timedelta(minutes=1))
        assert story_store.alerted_message(s, 42, story_id, thread_id=3) is None
        assert story_store.alerted_message(s, 43, story_id) is None
        assert story_store.alerted_message(s, 42, ids["drills"]) is None


def test_topic_story_dates_count_a_story_once(engine):
    items = _items(EN)
    ids = _store(engine, items)
    loose = item("loose", title="Unrelated", published=T0 + timedelta(days=1))
    with session_scope(engine) as s:
        item_store.add_new_items(s, [loose])
        for it in [*items, loose]:
            item_store.add_matches(s, it.id, [topic_match("csto")], now=T0)
    assert len(set(ids.values())) == 3
    with Session(engine) as s:
        dates = story_store.topic_story_dates(s, since=T0 - timedelta(days=1))
        assert story_store.topic_story_dates(s, since=T0, topic="other") == {}
    assert dates == {
        "csto": [T0 + timedelta(hours=h) for h in (0, 24, HOURS["drills"], HOURS["summit"])]
    }


def test_migration_creates_the_story_tables(engine):
    names = set(sa.inspect(engine).get_table_names())
    assert {"stories", "story_items"} <= names


def test_the_story_index_assigns_like_a_full_scan():
    texts = {**EN, **RU, **SANCTIONS}
    items = _items(texts)
    fps = [fingerprint(i) for i in items]
    candidates = [StoryCandidate(n, fp, T0) for n, fp in enumerate(fps)]
    index = StoryIndex(candidates)
    assert len(index) == len(items)
    body = " ".join(EN["drills"][1] for _ in range(3))
    probes = [*fps, fingerprint_text("Totally new headline", body), fingerprint_text("x", "y")]
    for probe in probes:
        assert index.assign(probe, T0) == assign_story(probe, T0, candidates)


def test_assigning_in_separate_batches_and_far_apart_in_time(engine):
    first, second, third = _items(EN)[:3]
    late = item(
        "late",
        title=EN["freeze-ap"][0],
        text=EN["freeze-ap"][1],
        published=T0 + timedelta(days=30),
        source="https://late.example/rss",
    )
    ids = _store(engine, [first, late])
    ids.update(_store(engine, [third, second]))
    assert ids["freeze-reuters"] == ids["freeze-france24"] == ids["freeze-ap"] != ids["late"]
    with Session(engine) as s:
        assert story_store.get_story(s, ids["late"]).member_count == 1  # type: ignore[union-attr]


# The Kommersant report, told with fewer of the first report's names: 48 h apart, they do not join.
_LATE_TEXT = (
    "Ереван де-факто заморозил членство в организации, сообщил премьер. По его словам, она не "
    "выполнила своих обязательств."
)


def _bridged_reports() -> tuple[Item, Item, Item]:
    """Two reports of one event 36 h apart (too far to join each other), and one between,
    within `STEP_HOURS` of each (its headline tells another verb than the late one's)."""
    first = item("first", title=EN["freeze-reuters"][0], text=EN["freeze-reuters"][1],
                 published=T0, source="https://a.example/rss")  # fmt: skip
    late = item("late", title=RU["freeze-kommersant"][0], text=_LATE_TEXT,
                published=T0 + timedelta(hours=36), source="https://b.example/rss")  # fmt: skip
    middle = item("middle", title=RU["freeze-tass"][0], text=RU["freeze-tass"][1],
                  published=T0 + timedelta(hours=18), source="https://c.example/rss")  # fmt: skip
    return first, late, middle


def test_a_report_bridging_two_stored_stories_merges_them(engine):
    """Two outlets' reports too far apart to join each other, then a report between them:
    one event, so one story, whichever report arrived first."""
    first, late, middle = _bridged_reports()
    ids = _store(engine, [first])
    ids.update(_store(engine, [late]))
    assert ids["first"] != ids["late"]
    ids.update(_store(engine, [middle]))
    with Session(engine) as s:
        merged = story_store.stories_of(s, [first.id, late.id, middle.id])
        story = story_store.get_story(s, ids["first"])
        assert story_store.get_story(s, ids["late"]) is None  # the younger story is gone
        members = story_store.story_members(s, ids["first"])
    assert set(merged.values()) == {ids["first"]} == {ids["middle"]}
    assert story is not None and story.member_count == 3 and story.lead_item_id == first.id
    assert story.event_date == T0
    assert [m.id for m in members] == [first.id, middle.id, late.id]


def test_a_new_story_given_a_merged_storys_old_id_is_its_own_story(engine):
    """SQLite hands the id of the story deleted by a merge to the next new story. Within the
    same poll (one story cache), that new story is not the merged one: it keeps its own
    reports, and later reports neither crash the re-check nor join the wrong story."""
    cache = StoryCache(started=T0)
    first, late, middle = _bridged_reports()
    drills = item("drills", title=EN["drills"][0], text=EN["drills"][1],
                  published=T0 + timedelta(hours=60), source="https://d.example/rss")  # fmt: skip
    summit = item("summit", title=EN["summit"][0], text=EN["summit"][1],
                  published=T0 + timedelta(hours=61), source="https://e.example/rss")  # fmt: skip
    ids: dict[str, int] = {}
    for batch in ([first], [late], [middle], [drills], [summit]):
        with session_scope(engine) as s:
            item_store.add_new_items(s, batch)
            found = assign_stories(story_store.StoryRows(s), batch, now=T0, cache=cache)
        ids.update({it.key: found[it.id] for it in batch})
    if engine.dialect.name == "sqlite":  # PostgreSQL never hands an id out twice
        assert ids["drills"] == ids["late"]  # the id came free and was given again
    assert ids["first"] not in (ids["drills"], ids["summit"])
    with Session(engine) as s:
        stored = story_store.stories_of(s, [first.id, late.id, middle.id, drills.id, summit.id])
    assert stored == {first.id: ids["first"], late.id: ids["first"], middle.id: ids["first"],
                      drills.id: ids["drills"], summit.id: ids["summit"]}  # fmt: skip


def test_fingerprints_of_versions_3_to_8_read_with_no_polity_body_roles_speaker_day_or_name():
    fp = fingerprint_text(
        "Senate votes to sanction Russian officials",
        "The Senate said so on Tuesday.",
        datetime(2024, 11, 26, 20, tzinfo=UTC),  # a Tuesday
    )
    assert fp.subject == term(ENTITY, "usa") and fp.body == term(ENTITY, "us_senate")
    assert fp.agent == lexicon().polities[term(ENTITY, "usa")]
    assert list(fp.targets) == [lexicon().polities[term(ENTITY, "russia")]]
    assert fp.day == date(2024, 11, 26).toordinal()
    v9 = fp.to_bytes()
    assert Fingerprint.from_bytes(v9) == fp
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(v9[:-4])  # the polity acted upon cut off
    v8 = struct.pack(">BBHHHIIIIHIII", 8, *struct.unpack_from(">BHHHIIIIHIII", v9, 1)) + v9[42:]
    read8 = Fingerprint.from_bytes(v8)
    assert read8.opener == 0 and read8.day == fp.day and read8.terms == fp.terms
    v7 = struct.pack(">BBHHHIIIIHII", 7, *struct.unpack_from(">BHHHIIIIHII", v8, 1)) + v8[38:]
    read7 = Fingerprint.from_bytes(v7)
    assert read7.day == 0 and read7.targets == fp.targets and read7.terms == fp.terms
    v6 = struct.pack(">BBHHHIIIIH", 6, *struct.unpack_from(">BHHHIIIIH", v8, 1)) + v8[38:]
    read6 = Fingerprint.from_bytes(v6)
    assert read6.targets == fp.targets and read6.speaker == 0 and read6.terms == fp.terms
    old = v8[38:-4]  # the values without the polity acted upon
    v5 = struct.pack(">BBHHHIII", 5, *struct.unpack_from(">BHHHIII", v8, 1)) + old
    v4 = struct.pack(">BBHHHII", 4, *struct.unpack_from(">BHHHII", v8, 1)) + old
    v3 = struct.pack(">BBHHHI", 3, *struct.unpack_from(">BHHHI", v8, 1)) + old
    read5 = Fingerprint.from_bytes(v5)
    read4, read3 = Fingerprint.from_bytes(v4), Fingerprint.from_bytes(v3)
    assert read5.body == fp.body and read5.agent == 0 and not read5.targets
    assert read5.terms == fp.terms and read5.minhash == fp.minhash
    assert read4.subject == fp.subject and read4.body == 0 and read4.terms == fp.terms
    assert read3.subject == 0 and read3.title == fp.title and read3.action == fp.action


def test_a_statement_keeps_its_speaker_and_a_consequence_its_cause_through_the_bytes():
    fp = fingerprint_text("Georgia calls Russian pact with Abkhazia a step toward annexation", "")
    assert fp.speaker == lexicon().polities[term(ENTITY, "georgia")]
    assert Fingerprint.from_bytes(fp.to_bytes()).speaker == fp.speaker
    fp = fingerprint_text("Moscow Exchange halts dollar trading after US penalties", "")
    assert fp.cause == lexicon().polities[term(ENTITY, "usa")]
    assert Fingerprint.from_bytes(fp.to_bytes()).cause == fp.cause


def test_a_sales_seller_and_buyer_tell_one_deal():
    seller = fingerprint_text(
        "Renault sells its Avtovaz stake to a Russian state institute",
        "French carmaker Renault said on Monday it had sold its majority stake in Avtovaz to "
        "NAMI, a Russian state research institute, for one rouble.",
    )
    buyer = fingerprint_text(
        "Russian state institute NAMI buys Renault's Avtovaz stake",
        "NAMI has bought Renault's 68% stake in Avtovaz for one rouble, Russia's industry "
        "ministry said on Monday.",
    )
    assert similarity(seller, buyer) >= THRESHOLD  # sell and buy: converses, not opposites


def test_two_organisations_doing_the_same_thing_are_two_events():
    siemens = fingerprint_text(
        "Siemens halts new business in Russia",
        "German engineering group Siemens said on Wednesday it had put all new business with "
        "Russia on hold and stopped deliveries to the country, citing Western sanctions.",
    )
    nokia = fingerprint_text(
        "Nokia halts deliveries to Russia",
        "Finnish telecoms equipment maker Nokia said on Wednesday it had stopped deliveries to "
        "Russia and would comply with Western sanctions.",
    )
    siemens_again = fingerprint_text(
        "Siemens suspends Russia business over sanctions",
        "Siemens has halted new business and deliveries to Russia, the German group said.",
    )
    assert nokia.opener and siemens.opener == siemens_again.opener != nokia.opener
    assert similarity(siemens, nokia) == 0.0  # the same step, two companies: vetoed
    assert similarity(siemens, siemens_again) >= THRESHOLD
    assert Fingerprint.from_bytes(nokia.to_bytes()).opener == nokia.opener
    ru_siemens = fingerprint_text(
        "Siemens приостановил новые сделки в России",
        "Немецкий концерн Siemens в среду заморозил все новые сделки с Россией и поставки.",
    )
    ru_nokia = fingerprint_text(
        "Nokia прекратила поставки в Россию",
        "Финская Nokia в среду остановила поставки оборудования в Россию из-за санкций.",
    )
    assert similarity(ru_siemens, ru_nokia) == 0.0
    # a company named in the other report is not another actor: its statement on the same step
    named = fingerprint_text(
        "Nokia joins Siemens in halting Russia deliveries",
        "Nokia said on Wednesday it had stopped deliveries to Russia, hours after Siemens did.",
    )
    assert similarity(nokia, named) > 0.0


def test_two_polities_doing_the_same_thing_are_two_events():
    eu = fingerprint_text(
        "EU sanctions six Russian officials over Navalny poisoning",
        "The European Union imposed sanctions on six Russian officials and a state research "
        "centre over the poisoning of Alexei Navalny with a nerve agent.",
    )
    uk = fingerprint_text(
        "Navalny poisoning: UK sanctions Russian security chief",
        "Britain imposed sanctions on the head of the FSB and five other Russian officials over "
        "the poisoning of Alexei Navalny with a nerve agent.",
    )
    eu_again = fingerprint_text(
        "Navalny case: Brussels freezes assets of six Russian officials",
        "The European Union froze the assets of six Russian officials over the poisoning of "
        "Alexei Navalny with a nerve agent.",
    )
    assert similarity(eu, uk) == 0.0  # the same action, two polities: vetoed
    assert similarity(eu, eu_again) >= THRESHOLD
    # two leaders saying different things at one summit: weighed, not vetoed
    putin = fingerprint_text(
        "Putin urges CSTO allies to prepare for Afghan spillover",
        "Russian President Vladimir Putin told a CSTO summit in Dushanbe that the bloc must "
        "prepare for threats from Afghanistan.",
    )
    tokayev = fingerprint_text(
        "Tokayev warns CSTO summit of Afghan threat",
        "Kazakh President Kassym-Jomart Tokayev told the CSTO summit in Dushanbe that "
        "Afghanistan threatens the bloc's southern borders.",
    )
    assert similarity(putin, tokayev) > 0.0
    # a bloc and one of its members are not two polities: one decision told two ways
    allies = fingerprint_text(
        "Russia and allies agree to set up joint air defence system",
        "Leaders of the Collective Security Treaty Organisation agreed in Moscow to build a "
        "joint air defence system.",
    )
    bloc = fingerprint_text(
        "Страны ОДКБ договорились создать объединенную систему ПВО",
        "Лидеры Организации Договора о коллективной безопасности договорились в Москве создать "
        "объединенную систему ПВО.",
    )
    assert similarity(allies, bloc) >= THRESHOLD


def test_a_request_and_the_act_it_asks_for_are_two_events():
    asks = fingerprint_text(
        "Duma asks Putin to recognise Donetsk and Luhansk republics",
        "Russia's lower house voted to ask President Vladimir Putin to recognise the two "
        "breakaway regions of eastern Ukraine as independent.",
    )
    recognises = fingerprint_text(
        "Putin recognises independence of Donetsk and Luhansk",
        "President Vladimir Putin signed decrees recognising the two breakaway regions of "
        "eastern Ukraine as independent states.",
    )
    assert similarity(asks, recognises) == 0.0  # the appeal, and the act it asked for
    asks_again = fingerprint_text(
        "Госдума попросила Путина признать ДНР и ЛНР",
        "Депутаты обратились к президенту с просьбой признать независимость ДНР и ЛНР.",
    )
    assert similarity(asks, asks_again) >= THRESHOLD
    # an answer naming the plea is not the act asked for
    dismisses = fingerprint_text(
        "Kyiv dismisses Donetsk plea for recognition",
        "Ukraine's foreign ministry said the appeal to recognise the breakaway regions was void.",
    )
    assert similarity(asks, dismisses) > 0.0


@pytest.mark.parametrize(
    "denial",
    [
        "Armenia's foreign minister denies the country is leaving the CSTO",
        "МИД Армении разъяснил слова Пашиняна о выходе из ОДКБ",
    ],
)
def test_a_claim_and_its_denial_are_two_events(denial: str) -> None:
    """The prime minister says Armenia will leave; the same morning the foreign ministry denies
    or explains it away: one polity, one act named, two events."""
    lead = "Nikol Pashinyan told parliament Armenia would leave the Russian-led bloc."
    claim = fingerprint_text("Armenia will leave the CSTO, Pashinyan says", lead)
    against = fingerprint_text(denial, "Ararat Mirzoyan said Pashinyan had said no such thing.")
    assert similarity(claim, against) == 0.0
    denied_again = fingerprint_text(
        "Армения опровергла сообщения о выходе из ОДКБ",
        "Министр иностранных дел Арарат Мирзоян заявил, что Пашинян этого не говорил.",
    )
    assert similarity(against, denied_again) > 0.0  # two reports of the denial
    claim_again = fingerprint_text("Армения выйдет из ОДКБ", "Пашинян заявил о выходе из ОДКБ.")
    assert similarity(claim, claim_again) >= THRESHOLD


@pytest.mark.parametrize(
    ("reaction", "headline"),
    [
        (
            "Лукашенко спокойно отреагировал на отказ Пашиняна от приезда на саммит ОДКБ",
            "Пашинян отказался от приезда на саммит ОДКБ в Минске",
        ),
        (
            "В Кремле выразили отношение к отказу Пашиняна от участия в саммите ОДКБ",
            "Пашинян отказался от участия в саммите ОДКБ в Минске",
        ),
        (
            "Commenting on Pashinyan's refusal to attend the CSTO summit, Peskov said Moscow "
            "regrets it",
            "Pashinyan refuses to attend CSTO summit in Minsk",
        ),
    ],
)
def test_a_reaction_and_the_act_it_reacts_to_are_two_events(reaction: str, headline: str) -> None:
    """A headline telling a reaction names the act it reacts to, so it shares the act's
    names and action; it is a statement, an event of its own."""
    act = fingerprint_text(headline, "The Armenian prime minister told Lukashenko by phone.")
    react = fingerprint_text(reaction, "The press service said so.")
    assert fingerprint_text(reaction, "").action == term(ACTION, "react")
    assert similarity(act, react) == 0.0
    # a statement about the act, told with another verb, is one more report of a reaction,
    # not the act: the veto is for the act's own reports
    considers = fingerprint_text(
        "Kremlin considers Pashinyan's refusal to attend the CSTO summit regrettable", ""
    )
    assert similarity(considers, react) > 0.0


def test_reacting_by_an_act_of_ones_own_is_that_act():
    """ "Russia reacts to U.S. sanctions by expelling diplomats" tells Russia's expulsion: one
    polity on both sides, so it is not vetoed against the expulsion's other reports."""
    reacts = fingerprint_text("Russia reacts to U.S. sanctions by expelling ten diplomats", "")
    expels = fingerprint_text("Russia expels ten U.S. diplomats over sanctions", "")
    assert reacts.action == term(ACTION, "react")
    assert similarity(reacts, expels) >= THRESHOLD


def test_two_parties_reacting_to_one_act_are_two_events():
    kremlin = fingerprint_text(
        "В Кремле выразили отношение к отказу Пашиняна от участия в саммите ОДКБ в Минске", ""
    )
    minsk = fingerprint_text(
        "Лукашенко спокойно отреагировал на отказ Пашиняна от приезда на саммит ОДКБ", ""
    )
    assert similarity(kremlin, minsk) == 0.0
    # "Commenting on …," names what is reacted to: who reacts comes after it
    peskov = fingerprint_text(
        "Commenting on Pashinyan's refusal to attend the CSTO summit in Minsk, Dmitry Peskov, "
        "press secretary of the Russian president, said Moscow regrets it",
        "",
    )
    russia = term(ENTITY, "russia")
    assert (peskov.subject, peskov.agent) == (russia, russia)
    assert term(ENTITY, "armenia") in peskov.targets
    assert similarity(peskov, minsk) == 0.0
    assert similarity(peskov, kremlin) >= THRESHOLD  # one reaction, two reports


def test_asking_for_clarification_is_a_reaction():
    asks = fingerprint_text(
        "Russia will demand clarification from Armenia about leaving the CSTO", ""
    )
    frozen = fingerprint_text("Пашинян: Армения заморозила свое участие в ОДКБ", "")
    assert asks.action == term(ACTION, "react")
    assert similarity(asks, frozen) == 0.0


def test_blocking_a_package_and_adopting_it_are_two_events():
    blocked = fingerprint_text(
        "Austria blocks the EU's 12th package of sanctions against Russia",
        "Vienna wants a Ukrainian bank list changed before it agrees.",
    )
    adopted = fingerprint_text(
        "Евросоюз официально примет 12-й пакет санкций против России",
        "Австрия сняла свои возражения.",
    )
    assert similarity(blocked, adopted) == 0.0  # block and adopt are opposites
    begun = fingerprint_text("ЕС начал процедуру утверждения 12-го пакета санкций против РФ", "")
    assert begun.action == term(ACTION, "adopt")  # beginning the adoption is the adoption
    assert similarity(blocked, begun) == 0.0
    started = fingerprint_text("Саммит ОДКБ начался в Астане", "")
    assert started.action == term(ACTION, "begin")  # with no act after it, beginning is the act
    frozen = fingerprint_text("Евросоюз бессрочно заблокировал активы Банка России", "")
    assert frozen.action == term(ACTION, "suspend")  # blocking assets freezes them


def test_an_appeal_and_its_denial_are_two_events():
    asked = fingerprint_text(
        "Armenia asks Russia for military help after border clashes with Azerbaijan",
        "Yerevan invoked its 1997 treaty with Moscow.",
    )
    denied = fingerprint_text(
        "Армения пока официально не обращалась к России за помощью, заявил посол",
        "Посол Армении в Москве прокомментировал сообщения о просьбе Еревана.",
    )
    assert denied.action == term(ACTION, "refuse")  # a negated appeal: no appeal was made
    assert similarity(asked, denied) == 0.0  # appeal and refuse are opposites


def test_two_bodies_of_one_parliament_voting_are_two_events():
    duma = fingerprint_text(
        "Госдума ратифицировала договоры о вхождении в состав России четырех регионов",
        "Государственная дума единогласно ратифицировала договоры о принятии в состав России "
        "четырех регионов.",
    )
    duma_en = fingerprint_text(
        "Russia's lower house votes to absorb four Ukrainian regions",
        "Russia's State Duma voted unanimously on Monday to ratify treaties annexing four regions.",
    )
    council = fingerprint_text(
        "Совет Федерации ратифицировал договоры о принятии новых регионов",
        "Сенаторы единогласно одобрили ратификацию договоров о вхождении в состав России четырех "
        "регионов, ратифицированных накануне Госдумой.",
    )
    assert duma_en.body == duma.body == term(ENTITY, "state_duma")  # the lead's, else
    assert council.body == term(ENTITY, "federation_council")
    assert similarity(duma, duma_en) >= THRESHOLD
    assert similarity(duma, council) == 0.0 and similarity(duma_en, council) == 0.0
    both = fingerprint_text(
        "Совет Федерации одобрил договоры вслед за Госдумой",
        "Сенаторы ратифицировали договоры о вхождении в состав России четырех регионов.",
    )
    assert similarity(both, duma) > 0.0  # a headline naming the other body: not told apart
    acted_upon = fingerprint_text(
        "Moscow bars U.S. senators and House members from entering Russia",
        "Russia's foreign ministry said on Friday the lawmakers were barred in a tit-for-tat move.",
    )
    assert acted_upon.body == 0  # bodies named after the action are acted upon, not acting
    no_action = fingerprint_text("МИД России: стоп-лист для сенаторов США", "Список опубликован.")
    assert no_action.body == 0  # with no action read, who acts is not known


def test_a_head_of_state_and_the_parliament_acting_are_two_events():
    """The president's decrees and the Duma's ratification the next day are two steps; a head
    of state acts only as the headline's subject with its verb next."""
    decree = fingerprint_text(
        "Путин подписал указы о признании ДНР и ЛНР",
        "Президент России подписал указы о признании независимости двух республик Донбасса.",
    )
    decree_en = fingerprint_text(
        "Moscow recognises Donetsk and Luhansk as independent",
        "Russian President Vladimir Putin signed decrees recognising the two breakaway regions.",
    )
    duma = fingerprint_text(
        "Госдума ратифицировала договоры о дружбе с ДНР и ЛНР",
        "Депутаты единогласно ратифицировали договоры о дружбе и взаимной помощи с республиками.",
    )
    assert decree.body == term(ENTITY, "putin")
    assert decree_en.body == 0  # a head of state in the lead is not read as acting
    assert similarity(decree, duma) == 0.0
    assert similarity(decree, decree_en) >= THRESHOLD
    given = fingerprint_text(
        "Putin gets green light for troops abroad",
        "The upper house voted unanimously to let the president deploy forces abroad.",
    )
    assert given.body == 0  # the one a thing is done to does not act


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        (
            "Biden administration sanctions Russian officials over Navalny poisoning",
            "EU sanctions four senior Russian officials over Navalny jailing",
            True,
        ),
        (
            "Германия остановила сертификацию «Северного потока — 2»",
            "U.S. blacklists Nord Stream 2 operator",
            True,
        ),
        (  # each headline names the other's polity: the rule cannot tell these apart
            "Лавров объявил о высылке десяти американских дипломатов",
            "Байден ввел санкции против российского госдолга",
            False,
        ),
        (
            "US imposes more than 500 new sanctions on Russia",
            "Biden hits Russia's Mir card network in largest sanctions round",
            False,
        ),  # one polity
        (
            "Russia-led bloc to send peacekeepers to Kazakhstan",
            "ОДКБ направит миротворцев в Казахстан",
            False,
        ),  # "Russia-led bloc" is the CSTO
        (
            "Trump says Zelenskyy's Crimea stance harms talks",
            "Zelenskyy rules out recognising Crimea as Russian",
            False,
        ),  # each names the other
    ],
)
def test_headlines_whose_actors_act_for_different_polities_score_lower(a, b, apart):
    fa, fb = fingerprint_text(a, ""), fingerprint_text(b, "")
    assert other_actors(_Terms.of(fa), _Terms.of(fb)) is apart


def test_dotted_and_capital_abbreviations_name_their_entities():
    def entities(text: str) -> list[int]:
        return [t for t in event_terms(text) if kind_of(t) == ENTITY]

    usa, un, uk = (term(ENTITY, k) for k in ("usa", "un", "uk"))
    assert entities("U.S. sanctions") == entities("US sanctions") == [usa]
    assert entities("U.N. vote") == [un] and entities("U.K. and USA") == [uk, usa]
    assert entities("let us vote") == []  # the pronoun is not the country


def test_a_polity_list_naming_no_entity_is_refused_by_name():
    data = {"entities": {"usa": ["USA"], "biden": ["Biden"]}, "polities": {"usa": ["bidne"]}}
    with pytest.raises(ValueError, match=r"polities\.usa: not entity keys: \['bidne'\]"):
        compile_lexicon(data)
    lex = compile_lexicon({**data, "polities": {"usa": ["biden"]}})
    assert lex.polities[term(ENTITY, "biden")] == lex.polities[term(ENTITY, "usa")]


def test_a_head_outside_every_group_of_bodies_is_refused():
    data = {
        "entities": {"us_senate": ["Senate"], "us_house": ["House"], "biden": ["Biden"]},
        "bodies": [["us_senate", "us_house"]],
        "heads": ["biden"],
    }
    with pytest.raises(ValueError, match="heads: must list entity keys that are in a group"):
        compile_lexicon(data)
    lex = compile_lexicon({**data, "bodies": [["us_senate", "us_house", "biden"]]})
    assert lex.heads == {term(ENTITY, "biden")}


@pytest.mark.parametrize(
    "headline",
    [
        "Украина разрывает дипотношения с КНДР",
        "Zelensky announces the end of diplomatic ties with Damascus",
        "Ukraine severs ties with Syria",
        "Georgia breaks ties with Russia",
        "Украина разорвет все отношения с Сирией",
    ],
)
def test_cutting_ties_is_read_however_the_relations_are_spelled(headline: str) -> None:
    cut = term(ACTION, "cut_ties")
    assert fingerprint_text(headline, "").action == cut
    recognised = fingerprint_text("Pyongyang recognises Donetsk and Luhansk", "")
    assert similarity(fingerprint_text(headline, ""), recognised) == 0.0  # opposite actions


def test_different_acts_a_day_apart_count_less_than_the_same_act():
    """The ambassadors' agreement and the adoption the next day are two steps of one process:
    headlines telling different acts more than `STEP_HOURS` apart count `OTHER_STEP` less
    (`ENVOYS_STEP` when one tells the EU's ambassadors acting)."""
    agreed = fingerprint_text(
        "EU envoys agree seventh package of Russia sanctions",
        "Ambassadors of the 27 member states approved the package, including a gold ban.",
    )
    adopted = fingerprint_text(
        "EU adopts seventh package of Russia sanctions",
        "The Council formally signed it off on Thursday, barring imports of Russian bullion.",
    )
    proposed = fingerprint_text(
        "Commission proposes seventh package of Russia sanctions",
        "Brussels wants to bar Russian bullion and tighten export controls.",
    )
    plain = recency(timedelta(hours=STEP_HOURS + 6)) / recency(timedelta(hours=STEP_HOURS - 6))
    for step, factor in ((agreed, ENVOYS_STEP), (proposed, OTHER_STEP)):
        assert other_action(_Terms.of(step), _Terms.of(adopted))
        day = similarity(step, adopted, gap=timedelta(hours=STEP_HOURS + 6))
        hours = similarity(step, adopted, gap=timedelta(hours=STEP_HOURS - 6))
        assert day == pytest.approx(hours * plain * factor)
    again = fingerprint_text("EU adopts seventh Russia sanctions package", "The bloc adopted it.")
    assert similarity(adopted, again, gap=timedelta(hours=STEP_HOURS + 6)) == pytest.approx(
        similarity(adopted, again) * plain
    )  # the same act told a day later only fades with time


@pytest.mark.parametrize(
    "headline",
    [
        "ЕС разместил 11-й пакет санкций в официальном журнале",
        "EU publishes 14th sanctions package in the Official Journal",
    ],
)
def test_a_measure_published_is_a_step_of_its_own(headline: str) -> None:
    """Publication in the Official Journal is the step after the adoption: the headline's main
    action, whatever measure it names first."""
    assert fingerprint_text(headline, "").action == term(ACTION, "publish")


def test_the_envoys_approval_and_the_adoption_a_day_later_are_two_steps():
    """The ambassadors "approve" a package and the Council "approves" it the next day: one
    verb, two steps. A report naming the ambassadors and one that does not count `ENVOYS_STEP`
    less when more than `STEP_HOURS` apart: more than other different acts do (`OTHER_STEP`),
    as the EU's two approvals share every name and word."""
    envoys = fingerprint_text(
        "EU approves seven Russian banks' exclusion from SWIFT",
        "Ambassadors of the European Union agreed to cut seven Russian banks off SWIFT.",
    )
    council = fingerprint_text(
        "European Union approves cutting off seven Russian lenders from SWIFT",
        "The bloc's Council formally adopted the decision on Wednesday.",
    )
    assert not other_action(_Terms.of(envoys), _Terms.of(council))
    assert other_step(_Terms.of(envoys), _Terms.of(council))
    gap = timedelta(hours=STEP_HOURS + 6)
    assert similarity(envoys, council, gap=gap) == pytest.approx(
        similarity(envoys, council) * recency(gap) * ENVOYS_STEP
    )
    # an ambassador in other news is no step: North Korea's recognition, an embassy in the lead
    nk = fingerprint_text("КНДР признала ДНР и ЛНР", "Посол ДНР встретился с послом КНДР.")
    nk_en = fingerprint_text("DPRK officially recognizes the independence of Donetsk, Lugansk", "")
    assert not other_step(_Terms.of(nk), _Terms.of(nk_en))
    hours = timedelta(hours=STEP_HOURS - 6)  # the same day: reports of one event
    assert similarity(envoys, council, gap=hours) == pytest.approx(
        similarity(envoys, council) * recency(hours)
    )


@pytest.mark.parametrize(
    "headline",
    [
        "Запрет на полеты белорусских авиакомпаний в авиапространстве ЕС вступил в силу",
        "EU ban on Belarusian airlines comes into force",
    ],
)
def test_a_measure_taking_effect_is_the_step_after_its_decision(headline: str) -> None:
    """A headline telling a measure taking effect tells the entry into force, whatever measure
    it names first: the next day it is the next step, not another report of the decision."""
    assert fingerprint_text(headline, "").action == term(ACTION, "take_effect")
    decided = fingerprint_text("EU bans Belarusian airlines from its airspace", "")
    in_force = fingerprint_text(headline, "")
    assert other_action(_Terms.of(decided), _Terms.of(in_force))
    gap = timedelta(hours=STEP_HOURS + 6)
    assert similarity(decided, in_force, gap=gap) == pytest.approx(
        similarity(decided, in_force) * recency(gap) * OTHER_STEP
    )


def test_the_pair_score_is_symmetric_to_the_last_bit() -> None:
    """The index keeps a placement's scores for the re-clustering, which reads the pair the
    other way round: over every pair of a labelled set, A with B is B with A exactly (a factor
    reading one side only, or a sum in another order, would differ, in the last bit at least,
    and a tie could then go another way in another arrival order)."""
    from bot.stories.prior import bundled_prior
    from bot.stories.similarity import Weights, similarity
    from bot.story_evaluation import load_story_set
    from tests.test_story_evaluation import STORIES

    weights = Weights(bundled_prior())
    reports = load_story_set([STORIES / "holdout-15.jsonl"])
    prints = [(r, fingerprint(r.item())) for r in reports]
    compared = 0
    for (a, fa), (b, fb) in itertools.combinations(prints, 2):
        gap = a.published - b.published
        forth, back = similarity(fa, fb, weights, gap=gap), similarity(fb, fa, weights, gap=-gap)
        assert forth == back, (a.id, b.id)
        compared += forth > 0
    assert compared > 500
