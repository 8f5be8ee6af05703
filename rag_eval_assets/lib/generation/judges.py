"""Claim judges: decide whether one chunk supports one claim, and report who decided.

A judge returns a ``Verdict``: ``supported`` is True/False, or None when the verdict is invalid
(a model reply that is not the requested JSON, an HTTP error, a timeout). An invalid verdict is
never turned into a default score: scores built from verdicts (``JudgedScore``) leave invalid
items out of the denominator and count them, so every judged score carries the judge's name,
the number of items scored and the invalid rate.

Judges:
- ``PhraseJudge`` (the trace seed's rule): every support phrase of the claim occurs in the
  chunk text, case-insensitive; a claim without support phrases falls back to the content-word
  rule.
- ``ContentWordJudge`` ("lexical_all_content_words_over_3_letters"): every word of the claim
  longer than 3 characters occurs as a word of the chunk (case-insensitive). Deterministic but
  blind to paraphrase and entailment ("Phobos and Deimos orbit Mars" is rejected).
- ``OpenAICompatibleJudge``: an LLM entailment judge behind any OpenAI-compatible
  ``/chat/completions`` endpoint, asked for strict JSON ``{"supported": true|false}``.
- ``CachedJudge``: wraps a judge with an on-disk verdict cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from rag_eval_assets.lib.generation import _http
from rag_eval_assets.lib.generation._text import sentences, words
from rag_eval_assets.lib.storage import Storage


@dataclass(frozen=True)
class Verdict:
    """One judgement; ``supported`` None = invalid. ``transient`` failures are never cached."""

    supported: bool | None
    judge: str
    raw: str
    transient: bool = False


@runtime_checkable
class Judge(Protocol):
    """Decides whether ``chunk_text`` supports a claim; ``name`` identifies the method."""

    name: str

    def judge(self, claim_text: str, support_phrases: Sequence[str], chunk_text: str) -> Verdict: ...


@dataclass(frozen=True)
class JudgedScore:
    """A score over judged items: ``value`` over the ``n`` validly judged items.

    ``invalid`` items (invalid verdict) are excluded from the denominator;
    ``invalid_rate = invalid / (n + invalid)``. ``value`` is None when every item was invalid.
    """

    value: float | None
    judge: str
    n: int
    invalid: int
    invalid_rate: float

    @classmethod
    def from_outcomes(cls, outcomes: Sequence[bool | None], judge: str, empty: float) -> JudgedScore:
        """Share of True among the non-None outcomes; ``empty`` when there are no items."""
        valid = [o for o in outcomes if o is not None]
        invalid = len(outcomes) - len(valid)
        if not outcomes:
            value: float | None = empty
        else:
            value = sum(valid) / len(valid) if valid else None
        return cls(value, judge, len(valid), invalid, invalid / len(outcomes) if outcomes else 0.0)

    @property
    def perfect(self) -> bool:
        """Every item judged and every one passed (value 1.0, nothing invalid)."""
        return self.value is not None and self.value >= 1.0 and self.invalid == 0


def split_claims(answer_text: str) -> list[str]:
    """Atomic claims of a free-text answer: its sentences, trailing period stripped."""
    return sentences(answer_text)


def _long_words(text: str) -> list[str]:
    return list(dict.fromkeys(w for w in words(text) if len(w) > 3))


class ContentWordJudge:
    """Supported when every word longer than 3 characters of the claim is a word of the chunk.

    A claim with no such word cannot be checked and is judged unsupported.
    """

    name = "lexical_all_content_words_over_3_letters"

    def judge(self, claim_text: str, support_phrases: Sequence[str], chunk_text: str) -> Verdict:
        needed = _long_words(claim_text)
        have = set(words(chunk_text))
        missing = [w for w in needed if w not in have]
        if not needed:
            return Verdict(False, self.name, "no content words to check")
        return Verdict(not missing, self.name, f"missing: {missing}" if missing else "all content words found")


class PhraseJudge:
    """Supported when every support phrase occurs in the chunk (case-insensitive, runs of
    whitespace compared as one space: a PDF line break inside a phrase is layout).

    Claims without support phrases are judged by ``ContentWordJudge``'s rule.
    """

    name = "support_phrases_in_chunk"
    version = "2"  # 2: whitespace-insensitive; part of the cache key, bump on any rule change

    def __init__(self) -> None:
        self._fallback = ContentWordJudge()

    def judge(self, claim_text: str, support_phrases: Sequence[str], chunk_text: str) -> Verdict:
        if not support_phrases:
            inner = self._fallback.judge(claim_text, support_phrases, chunk_text)
            return Verdict(inner.supported, self.name, f"no support phrases; content words: {inner.raw}")
        haystack = " ".join(chunk_text.casefold().split())
        missing = [p for p in support_phrases if " ".join(p.casefold().split()) not in haystack]
        return Verdict(not missing, self.name, f"missing phrases: {missing}" if missing else "all phrases found")


_JUDGE_SYSTEM = (
    "You are a strict entailment judge for retrieval-augmented answers. Decide whether the "
    "CONTEXT alone entails the CLAIM (paraphrase and direct inference count; outside knowledge "
    'does not). Reply with only a JSON object: {"supported": true} or {"supported": false}.'
)


class OpenAICompatibleJudge(_http.ChatEndpoint):
    """LLM entailment judge over an OpenAI-compatible chat-completions endpoint.

    Only the claim and the chunk are sent (support phrases are a lexical device and are not).
    A reply that is not JSON with a boolean ``supported`` gives an invalid verdict; so does an
    HTTP error or a timeout (marked transient, so a cache does not keep it).
    """

    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 30.0) -> None:
        super().__init__(base_url, model, api_key_env, timeout)
        self.name = f"llm_entailment:{model}"

    def judge(self, claim_text: str, support_phrases: Sequence[str], chunk_text: str) -> Verdict:
        try:
            content = self.ask(_JUDGE_SYSTEM, f"CONTEXT:\n{chunk_text}\n\nCLAIM:\n{claim_text}")
        except _http.ChatError as exc:
            return Verdict(None, self.name, str(exc), transient=True)
        reply = _http.json_object(content)
        supported = None if reply is None else reply.get("supported")
        return Verdict(supported if isinstance(supported, bool) else None, self.name, content)


class CascadeJudge:
    """Deterministic first, model second: ``first`` decides when it finds support; only the
    claims it rejects go to ``second`` (e.g. an entailment model for paraphrases). Each
    verdict keeps the name of the judge that produced it; ``name`` names the cascade."""

    def __init__(self, first: Judge, second: Judge) -> None:
        self.first, self.second = first, second
        self.name = f"{first.name}>{second.name}"
        self.version = f"{getattr(first, 'version', '')}>{getattr(second, 'version', '')}"
        self.model = getattr(second, "model", None)

    def judge(self, claim_text: str, support_phrases: Sequence[str], chunk_text: str) -> Verdict:
        verdict = self.first.judge(claim_text, support_phrases, chunk_text)
        return verdict if verdict.supported else self.second.judge(claim_text, support_phrases, chunk_text)


class CachedJudge:
    """``inner`` with verdicts cached on disk, one JSON file per key (written atomically).

    The key is the sha256 of (judge name, its rule version, model, claim, support phrases, chunk
    text), so changing a judge's rule (bump its ``version``) never serves stale verdicts; transient
    verdicts (HTTP errors, timeouts) are not cached. ``hits``/``misses`` count lookups.
    """

    def __init__(self, inner: Judge, cache: Storage | str | Path) -> None:
        self.inner = inner
        self.cache = cache if isinstance(cache, Storage) else Storage(cache)
        self.name = inner.name
        self.hits = self.misses = 0

    def _name(self, claim_text: str, support_phrases: Sequence[str], chunk_text: str) -> str:
        key = json.dumps([self.inner.name, getattr(self.inner, "version", None), getattr(self.inner, "model", None), claim_text,
                          list(support_phrases), chunk_text], ensure_ascii=False)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return f"{digest[:2]}/{digest}.json"

    def judge(self, claim_text: str, support_phrases: Sequence[str], chunk_text: str) -> Verdict:
        name = self._name(claim_text, support_phrases, chunk_text)
        try:
            stored = self.cache.read_json(name)
            verdict = Verdict(stored["supported"], stored["judge"], stored["raw"])
        except (OSError, ValueError, KeyError, TypeError):
            verdict = None
        if verdict is not None:
            self.hits += 1
            return verdict
        self.misses += 1
        verdict = self.inner.judge(claim_text, support_phrases, chunk_text)
        if not verdict.transient:
            record = {"supported": verdict.supported, "judge": verdict.judge, "raw": verdict.raw}
            self.cache.write_bytes(name, json.dumps(record, ensure_ascii=False).encode("utf-8"))
        return verdict
