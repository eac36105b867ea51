"""The level of a bloc meeting a headline tells (bot/stories/meetings.py `meeting_level`), and
the ministers' meeting and the leaders' summit a day apart in one city as two stories; two
councils meeting the same day in one city as two stories."""

from __future__ import annotations

import itertools

import pytest

from bot.stories.fingerprint import fingerprint_text
from bot.stories.meetings import DEFENCE, FOREIGN, LEADERS, MINISTERS, SECRETARIES
from bot.stories.similarity import _Terms
from tests.factories import stories_of


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("CSTO foreign ministers meet in Minsk ahead of summit", FOREIGN),
        ("Главы МИД ОДКБ подготовили саммит", FOREIGN),
        ("В Минске прошло заседание СМИД ОДКБ", FOREIGN),
        ("Министры обороны стран ОДКБ собрались в Астане", DEFENCE),
        ("CSTO defence chiefs hold talks in Minsk", DEFENCE),
        ("Секретари советов безопасности стран ОДКБ обсудили Афганистан", SECRETARIES),
        ("CSTO ministers agree documents for Minsk summit", MINISTERS),
        # two councils named: a joint session, or both at once
        ("CSTO foreign ministers and defence ministers meet jointly", 0),
        ("Russia-led bloc's leaders gather in Minsk", LEADERS),
        ("Саммит ОДКБ прошел в Минске", LEADERS),
        ("Лидеры стран ОДКБ утвердили заявление", LEADERS),
        # no bloc and no summit: a minister's act, not a bloc's meeting
        ("Armenian foreign minister visits Moscow", 0),
        ("EU adopts 12th sanctions package", 0),
    ],
)
def test_a_headline_tells_the_level_of_the_bloc_meeting(title, level):
    assert _Terms.of(fingerprint_text(title, "")).level == level


# A bloc's ministers meet on a Thursday, its leaders on the Friday, in one city. My own wording.
MEETINGS = [
    ("min-en", 0, "CSTO ministers agree documents for Minsk summit",
     "Foreign and defence ministers of the Russia-led Collective Security Treaty Organization "
     "approved draft documents in Minsk for the bloc's leaders, who meet in the Belarusian "
     "capital."),
    ("min-ru", 1, "Министры ОДКБ согласовали документы к саммиту в Минске",
     "Главы МИД и минобороны стран ОДКБ одобрили в Минске проекты документов для лидеров "
     "организации."),
    ("sum-en", 24, "CSTO summit in Minsk adopts collective security declaration",
     "Leaders of the Russia-led Collective Security Treaty Organization meeting in Minsk adopted "
     "a declaration on collective security and approved the bloc's documents."),
    ("sum-ru", 25, "Лидеры ОДКБ в Минске приняли декларацию о коллективной безопасности",
     "Главы государств ОДКБ на саммите в Минске утвердили декларацию и документы организации."),
]  # fmt: skip


# A bloc's foreign and defence ministers meet the same day in one city. My own wording.
COUNCILS = [
    ("fm-en", 0, "CSTO foreign ministers meet in Dushanbe ahead of summit",
     "Foreign ministers of the Russia-led Collective Security Treaty Organization met in "
     "Dushanbe on Wednesday to prepare documents for the bloc's summit."),
    ("fm-ru", 1, "Главы МИД стран ОДКБ провели заседание в Душанбе",
     "Министры иностранных дел государств ОДКБ в среду в Душанбе подготовили документы к "
     "саммиту организации."),
    ("dm-en", 2, "CSTO defence chiefs confer in Tajik capital",
     "Defence ministers of the Russia-led Collective Security Treaty Organization met in "
     "Dushanbe on Wednesday to discuss the situation on the Afghan border before the summit."),
    ("dm-ru", 3, "Министры обороны ОДКБ собрались в Душанбе",
     "Совет министров обороны ОДКБ в среду в Душанбе обсудил обстановку на афганской границе "
     "накануне саммита."),
]  # fmt: skip


@pytest.mark.parametrize("reports", [MEETINGS, COUNCILS], ids=["summit-eve", "two-councils"])
@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::3])
def test_two_meetings_in_one_city_are_two_stories_in_any_order(reports, order):
    """The ministers' meeting and the summit a day apart; two councils the same morning: each
    meeting's English and Russian report form one story (keys "<meeting>-<language>")."""
    meetings: dict[str, set[str]] = {}
    for key, *_ in reports:
        meetings.setdefault(key.split("-")[0], set()).add(key)
    assert stories_of([reports[i] for i in order]) == {frozenset(k) for k in meetings.values()}
