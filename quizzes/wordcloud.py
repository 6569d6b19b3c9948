"""A word cloud's words: grouped ignoring case, accents and surrounding spaces, counted, moderated.

Words on the blocked lists (settings.WORDCLOUD_BLOCKED_WORDS, every language, plus WORDCLOUD_EXTRA_BLOCKED_WORDS)
are never counted. A blocked entry matches whole words, with case and accents folded: an answer is dropped whole
when one of its words is blocked ("you are STÚPID!" with "stupid" blocked), never because a longer word merely
contains the blocked letters ("Scunthorpe" with "cunt" blocked). Words are the runs of letters and digits between
spaces and punctuation; a blocked entry of several words ("son of a") matches those words in a row. Words a teacher
hid stay in the results with `hidden: true`, so the teacher can show them again; the projector leaves them out.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from django.conf import settings

from quizzes.grading import normalize_text

MAX_WORDS_SHOWN = 100  # the cloud shows the most frequent; a bigger one is unreadable on a projector


_WORD = re.compile(r"\w+")


def _words_of(text: str) -> tuple[str, ...]:
    """The whole words of a text, case and accents folded: 'Tu es STÚPIDE!' -> ('tu', 'es', 'stupide')."""
    return tuple(_WORD.findall(normalize_text(text)))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a cache key on every word of every update
class BlockedWords:
    """The blocked entries as whole words: single words, and entries of several words that match in a row."""

    single: frozenset[str]
    phrases: tuple[str, ...]  # each " word word " with a space either side, to find in an answer's words alike

    def block(self, text: str) -> bool:
        words = _words_of(text)
        if self.single.intersection(words):
            return True
        joined = f" {' '.join(words)} "
        return any(phrase in joined for phrase in self.phrases)


@cache
def _blocked(lists: tuple[tuple[str, ...], ...]) -> BlockedWords:
    entries = {_words_of(entry) for words in lists for entry in words}
    return BlockedWords(
        single=frozenset(entry[0] for entry in entries if len(entry) == 1),
        phrases=tuple(sorted(f" {' '.join(entry)} " for entry in entries if len(entry) > 1)),
    )


def blocked_words() -> BlockedWords:
    lists = tuple(tuple(words) for words in settings.WORDCLOUD_BLOCKED_WORDS.values())
    return _blocked((*lists, tuple(settings.WORDCLOUD_EXTRA_BLOCKED_WORDS)))


def word_key(word: str) -> str:
    return normalize_text(word)


@lru_cache(maxsize=65_536)
def _shown_key(word: str, blocked: BlockedWords) -> str | None:
    """The word's key, or None when it is empty or holds a blocked word. Cached across updates: a class sends the
    same spellings again and again, and a live cloud is recounted up to ten times a second."""
    key = word_key(word)
    return None if not key or blocked.block(key) else key


def word_cloud(responses: Iterable[dict], *, hidden: Iterable[str] = (), limit: int = MAX_WORDS_SHOWN) -> list[dict]:
    """The most frequent words of these responses ({"words": [...]}), as [{"text", "count", "hidden"}], most
    frequent first. `text` is the first spelling seen of the word; `hidden` holds word keys (word_key)."""
    spellings: Counter[str] = Counter()
    for response in responses:
        spellings.update(response.get("words", ()))
    # A Counter keeps the order in which spellings were first seen.
    return word_cloud_of_spellings(spellings.items(), hidden=hidden, limit=limit)


def word_cloud_of_spellings(
    spellings: Iterable[tuple[str, int]], *, hidden: Iterable[str] = (), limit: int = MAX_WORDS_SHOWN
) -> list[dict]:
    """word_cloud from each spelling sent and how many times, in the order they were first sent: the same words,
    counted by the database (a hundred-odd spellings) rather than read answer by answer."""
    blocked = blocked_words()
    spelling: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for word, count in spellings:
        key = _shown_key(word, blocked)
        if key is None:
            continue
        counts[key] += count
        spelling.setdefault(key, word)
    hidden = set(hidden)
    return [
        {"text": spelling[key], "count": count, "hidden": key in hidden}
        for key, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    ]
