"""Answer generators producing ``Answer`` objects (atomic claims with citations).

``ExtractiveGenerator`` is the offline baseline: it answers with sentences copied from the
selected chunks. Question and sentences are reduced to content terms (case-folded unicode word
tokens minus a small stopword list, no stemming). A sentence qualifies when it shares at least
``min_shared`` terms with the question (or all of them, for a question with fewer terms) AND at
least ``min_share`` of the question's terms. The best ``max_claims`` qualifying sentences
(most shared terms first, then earliest) become claims citing their chunk, each with the
sentence itself as its support phrase; when none qualifies the generator abstains.

``OpenAICompatibleGenerator`` asks a chat-completions endpoint for the same shape as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag_eval_assets.lib.generation import _http
from rag_eval_assets.lib.generation._text import STOPWORDS, content_terms, sentences
from rag_eval_assets.lib.generation.traces import Answer, Claim, parse_answer
from rag_eval_assets.lib.goldens.rows import GoldenSetError

Context = Sequence[tuple[str, str]]  # (chunk_id, text) of the selected chunks, in order


class GenerationError(RuntimeError):
    """A model endpoint failed or replied with something that is not a valid answer."""


class ExtractiveGenerator:
    """Offline baseline: the question's best-overlapping context sentences, cited."""

    name = "extractive_overlap"

    def __init__(self, min_shared: int = 2, min_share: float = 0.3, max_claims: int = 3,
                 stopwords: frozenset[str] = STOPWORDS) -> None:
        self.min_shared, self.min_share = min_shared, min_share
        self.max_claims, self.stopwords = max_claims, stopwords

    def generate(self, question: str, context: Context) -> Answer:
        """An answer of extracted sentences, or an abstention when none overlaps enough."""
        terms = content_terms(question, self.stopwords)
        if not terms:
            return Answer((), abstained=True)
        needed = min(self.min_shared, len(terms))
        scored: list[tuple[int, int, str, str]] = []
        seen: set[str] = set()
        for chunk_id, text in context:
            for sentence in sentences(text):
                shared = len(terms & content_terms(sentence, self.stopwords))
                if shared >= needed and shared >= self.min_share * len(terms) and sentence not in seen:
                    seen.add(sentence)
                    scored.append((-shared, len(scored), chunk_id, sentence))
        best = sorted(scored)[: self.max_claims]
        claims = tuple(Claim(f"c{i}", sentence, chunk_id, (sentence,))
                       for i, (_, _, chunk_id, sentence) in enumerate(best, start=1))
        return Answer(claims, abstained=not claims)


_GENERATOR_SYSTEM = (
    "Answer the QUESTION using only the numbered CONTEXT chunks. Reply with only a JSON object "
    '{"abstained": false, "claims": [{"claim_id": "c1", "text": "<one atomic claim>", '
    '"citation_id": "<chunk id>", "support_phrases": ["<exact phrase copied from that chunk>"]}]}. '
    'If the context does not answer the question reply {"abstained": true, "claims": []}.'
)


class OpenAICompatibleGenerator(_http.ChatEndpoint):
    """Answers through an OpenAI-compatible chat-completions endpoint, as cited JSON claims.

    Transport errors and replies that are not a valid answer object raise GenerationError
    (never a silent empty answer).
    """

    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 60.0) -> None:
        super().__init__(base_url, model, api_key_env, timeout)
        self.name = f"llm_generator:{model}"

    def generate(self, question: str, context: Context) -> Answer:
        """The model's answer parsed into claims (validated like a trace's ``answer``)."""
        chunks = "\n\n".join(f"[{chunk_id}]\n{text}" for chunk_id, text in context)
        try:
            content = self.ask(_GENERATOR_SYSTEM, f"CONTEXT:\n{chunks}\n\nQUESTION:\n{question}")
        except _http.ChatError as exc:
            raise GenerationError(str(exc)) from exc
        reply = _http.json_object(content)
        if reply is None:
            raise GenerationError(f"reply is not a JSON object: {content[:200]!r}")
        try:
            return parse_answer(reply, self.name)
        except GoldenSetError as exc:
            raise GenerationError(f"invalid answer: {exc.message}") from exc
