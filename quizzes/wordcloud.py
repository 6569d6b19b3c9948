"""A word cloud's words: grouped ignoring case, accents and surrounding spaces, counted, moderated.

Words on the blocked lists (settings.WORDCLOUD_BLOCKED_WORDS, every language, plus WORDCLOUD_EXTRA_BLOCKED_WORDS)
are never counted; a phrase with a blocked word in it is dropped whole. Words a teacher hid stay in the results
with `hidden: true`, so the teacher can show them again; the projector leaves them out.
"""

from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache

from django.conf import settings

from quizzes.grading import normalize_text

MAX_WORDS_SHOWN = 100  # the cloud shows the most frequent; a bigger one is unreadable on a projector


@cache
def _blocked(lists: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    return frozenset(normalize_text(word) for words in lists for word in words if word.strip())


def blocked_words() -> frozenset[str]:
    lists = tuple(tuple(words) for words in settings.WORDCLOUD_BLOCKED_WORDS.values())
    return _blocked((*lists, tuple(settings.WORDCLOUD_EXTRA_BLOCKED_WORDS)))


def word_key(word: str) -> str:
    return normalize_text(word)


@lru_cache(maxsize=65_536)
def _shown_key(word: str, blocked: frozenset[str]) -> str | None:
    """The word's key, or None when it is empty or holds a blocked word. Cached across updates: a class sends the
    same spellings again and again, and a live cloud is recounted up to ten times a second."""
    key = word_key(word)
    return None if not key or blocked.intersection(key.split()) else key


def word_cloud(responses: Iterable[dict], *, hidden: Iterable[str] = (), limit: int = MAX_WORDS_SHOWN) -> list[dict]:
    """The most frequent words of these responses ({"words": [...]}), as [{"text", "count", "hidden"}], most
    frequent first. `text` is the first spelling seen of the word; `hidden` holds word keys (word_key)."""
    blocked = blocked_words()
    spelling: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for response in responses:
        for word in response.get("words", ()):
            key = _shown_key(word, blocked)
            if key is None:
                continue
            counts[key] += 1
            spelling.setdefault(key, word)
    hidden = set(hidden)
    return [
        {"text": spelling[key], "count": count, "hidden": key in hidden}
        for key, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    ]
