"""Sentence splitting and word tokens shared by the claim splitter, judges and generator."""

from __future__ import annotations

import re

# a sentence ends at . ! ? (or … ) followed by whitespace, at a CJK full stop, or at a blank
# line; a single line break is layout (PDF columns wrap mid-sentence), not a boundary
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])\s*|\s*\n\s*\n\s*")
_WORD = re.compile(r"\w+")

# a small stopword list (English, Russian, Greek function words); the extractive baseline's
# overlap ignores them
STOPWORDS = frozenset("""
a an and are as at be been but by can could do does did for from had has have how i if in into
is it its may me my no not of on or our shall should so than that the their them then there these
they this those to was we were what when where which who why will with would you your about any
all also must per via
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до
вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
тебя их чем была сам чтобы без будто чего раз тоже себе под будет ж тогда кто этот
ο η το οι τα του της των τον την και να σε με για από που είναι δεν θα ένα μια ή
""".split())  # noqa: SIM905 - a word list reads better as text


def sentences(text: str) -> list[str]:
    """Sentences of ``text``, whitespace-trimmed, each with one trailing period removed."""
    parts = (" ".join(p.split()) for p in _SENTENCE_END.split(text))
    return [p.removesuffix(".").strip() for p in parts if p and p.removesuffix(".").strip()]


def words(text: str) -> list[str]:
    """Case-folded word tokens (unicode ``\\w+``, so Cyrillic and Greek are words too)."""
    return [w.casefold() for w in _WORD.findall(text)]


def content_terms(text: str, stopwords: frozenset[str] = STOPWORDS) -> set[str]:
    """Distinct case-folded words of ``text`` that are not stopwords."""
    return {w for w in words(text) if w not in stopwords}
