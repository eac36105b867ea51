"""Stories: reports of one real-world event, from different outlets and in English or Russian,
grouped together (pure).

The package, by concern: `fingerprint` (what a report reduces to), `similarity` (term weights,
vetoes, the pair score), `clock` (two reports' times compared like with like), `index` (the
recent-stories index that places an item, finds its candidates through `postings` and
re-clusters a batch's neighbourhood with `linkage`), `assign` (assignment of a batch, in memory
or against the store).

A report's `Fingerprint` holds what the comparison needs, as 32-bit values so it stores as bytes:

* `title` — the event terms of the headline (see `bot.event_terms`: entities, venues, actions,
  ordinals, numbers, dates, domain concepts shared by both languages, and other words);
* `terms` — the event terms of headline + lead (the first `LEAD_WORDS` words), at most
  `MAX_TERMS`, headline terms first;
* `minhash` — a bottom-k sketch of the word 3-shingles of the whole text, for near-duplicates;
* `script` — whether the headline is Cyrillic: words compare only within one language;
* `action` — the headline's first action term, its main verb ("Ukraine severs ties with Syria
  over recognition": `cut_ties`; a negated one reads as its negation), or 0;
* `subject` — the polity the headline's first actor acts for, or 0;
* `body` — the body that acts (the Duma, the Federation Council…): the headline's, else the
  lead's, or 0;
* `agent`, `targets` — the polity that acts in the headline (or 0) and the polities it acts upon
  (`roles`: "Trump slaps extra 25% tariff on India" acts for the U.S. upon India);
* `speaker`, `cause` — the polity (or the company or body of no state) whose statement the
  headline tells ("Georgia calls Russian pact with Abkhazia a step toward annexation": Georgia;
  "Rosneft calls German takeover illegal": Rosneft) and the polity named after "after",
  "после", "в ответ на"… ("Moscow Exchange halts dollar trading after US penalties": the U.S.),
  or 0 (`speech`).
* `day` — the day its event happened, as the headline or lead names it by weekday ("… said on
  Tuesday", "в среду"), read against the publication time, or 0 (`eventday`).

Same event, not same words. Two reports score by the weight of the terms they share over the
weight of the terms each has (a weighted Ochiai coefficient); headline terms weigh double. A
term's weight is its kind's weight times its inverse document frequency among the recent
reports the `StoryIndex` holds, so "sanctions" and "Russia", in every report of the week, cost
little and "Astana" or "12th" a lot; with few reports the kind weights decide. An English and a
Russian report compare on the language-neutral terms only. Differences that veto a pair
whatever it shares: different ordinals (the 11th and 12th packages), different venues in the
headlines (the Minsk and Astana summits), opposite actions in the headlines (recognising
against cutting ties), two bodies of one state acting (the Duma's and the Federation Council's
votes) and two polities doing the same thing (the EU's and the UK's sanctions the same day).
A statement by a party that does not act in the other headline (a third party's, or the
target's reply: "Rosneft calls German takeover illegal" against "Berlin takes over Rosneft
Deutschland") and what followed from an act weigh less against the act (`similarity.THIRD_PARTY`,
`similarity.CONSEQUENCE`): they are reactions and consequences, events of their own. Two
reports naming different days for their events weigh half (`similarity.OTHER_DAY`), and so do
a bloc's ministers' meeting and its leaders' summit (`similarity.OTHER_LEVEL`).

An item is first placed with the story of its closest member scoring at least `THRESHOLD`
(unless a member of that story vetoes it); candidates are the members published within
`WINDOW` (fetched within it, when either report gives no publication time: `clock`). After
each batch, `StoryIndex.settle` re-clusters the batch's neighbourhood with average linkage
(`linkage`): two groups join when the mean score across them reaches the threshold, no pair
vetoes and no pair telling two actors apart scores under `linkage.MIN_PAIR`,
so a report close to one member only does not chain two events, and the stories formed do not
depend on the order the reports arrived in. Two groups that are an act and the other side's
reply (their headlines act for different polities, most of each naming the other's) need the
stricter `linkage.REPLY_THRESHOLD`; two groups acting upon each other (most headlines of each
acting upon a polity acting in the other) need `linkage.ACTS_ON_THRESHOLD`.
"""

from bot.stories.assign import (
    StoryCache,
    StoryStore,
    assign_stories,
    assign_story,
    group,
    group_batches,
)
from bot.stories.fingerprint import (
    CYRILLIC,
    LATIN,
    LEAD_WORDS,
    MAX_SHINGLE_WORDS,
    MAX_TERMS,
    NEAR_DUPLICATE,
    NUM_PERM,
    SHINGLE_WORDS,
    Fingerprint,
    fingerprint,
    fingerprint_text,
    minhash_jaccard,
)
from bot.stories.index import (
    _TEMPORARY_KEYS,
    THRESHOLD,
    WINDOW,
    StoryCandidate,
    StoryIndex,
)
from bot.stories.postings import COMMON_MINIMUM, COMMON_SHARE, DAYS_PER_KEY, MAX_PLAUSIBLE
from bot.stories.similarity import (
    COUNTRY_VETO,
    KIND_WEIGHTS,
    OTHER_ACTION,
    OTHER_ACTORS,
    PRIOR_REPORTS,
    RECENCY_GRACE_HOURS,
    RECENCY_HALF_HOURS,
    TITLE_BOOST,
    Weights,
    recency,
    similarity,
    vetoed,
)

__all__ = [
    "COMMON_MINIMUM", "COMMON_SHARE", "COUNTRY_VETO", "CYRILLIC", "DAYS_PER_KEY", "KIND_WEIGHTS",
    "LATIN", "LEAD_WORDS", "MAX_PLAUSIBLE", "MAX_SHINGLE_WORDS", "MAX_TERMS",
    "NEAR_DUPLICATE", "NUM_PERM", "OTHER_ACTION", "OTHER_ACTORS", "PRIOR_REPORTS",
    "RECENCY_GRACE_HOURS", "RECENCY_HALF_HOURS", "SHINGLE_WORDS", "THRESHOLD", "TITLE_BOOST",
    "WINDOW", "_TEMPORARY_KEYS", "Fingerprint", "StoryCache", "StoryCandidate", "StoryIndex",
    "StoryStore", "Weights", "assign_stories", "assign_story", "fingerprint", "fingerprint_text",
    "group", "group_batches", "minhash_jaccard", "recency", "similarity", "vetoed",
]  # fmt: skip
