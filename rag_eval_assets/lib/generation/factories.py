"""The configured judge and generator, by name (what ``generation_eval_config`` says)."""

from __future__ import annotations

from typing import Any

from rag_eval_assets.lib.storage import Storage

JUDGES = ("phrase", "content_word", "openai")
GENERATORS = ("extractive", "openai")


def make_judge(name: str, cache: Storage, endpoint_url: str = "", endpoint_model: str = "",
               api_key_env: str = "OPENAI_API_KEY") -> Any:
    """``phrase``, ``content_word``, ``openai``, or a cascade such as ``phrase+openai``
    (deterministic first, the model only for the claims it rejects), wrapped in the verdict
    cache. ValueError for an unknown name or an ``openai`` judge without an endpoint."""
    from rag_eval_assets.lib.generation import (
        CachedJudge,
        CascadeJudge,
        ContentWordJudge,
        OpenAICompatibleJudge,
        PhraseJudge,
    )

    def one(part: str) -> Any:
        if part == "phrase":
            return PhraseJudge()
        if part == "content_word":
            return ContentWordJudge()
        if part == "openai":
            if not (endpoint_url and endpoint_model):
                raise ValueError("judge openai needs generation_eval_config.endpoint_url and endpoint_model")
            return OpenAICompatibleJudge(endpoint_url, endpoint_model, api_key_env=api_key_env)
        raise ValueError(f"unknown judge {part!r} ({' | '.join(JUDGES)}, or first+second)")

    parts = name.split("+")
    judge = one(parts[0])
    for part in parts[1:]:
        judge = CascadeJudge(judge, one(part))
    return CachedJudge(judge, cache)


def make_generator(name: str, max_claims: int = 5, endpoint_url: str = "", endpoint_model: str = "",
                   api_key_env: str = "OPENAI_API_KEY") -> Any:
    """``extractive`` (offline baseline) or ``openai`` (an OpenAI-compatible endpoint)."""
    from rag_eval_assets.lib.generation import (
        ExtractiveGenerator,
        OpenAICompatibleGenerator,
    )

    if name == "extractive":
        return ExtractiveGenerator(max_claims=max_claims)
    if name == "openai":
        if not (endpoint_url and endpoint_model):
            raise ValueError("generator openai needs generation_eval_config.endpoint_url and endpoint_model")
        return OpenAICompatibleGenerator(endpoint_url, endpoint_model, api_key_env=api_key_env)
    raise ValueError(f"unknown generator {name!r} ({' | '.join(GENERATORS)})")
