"""A minimal OpenAI-compatible ``/chat/completions`` client (stdlib urllib, no SDK)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any


class ChatError(RuntimeError):
    """The endpoint could not be reached or did not return a chat-completions envelope."""


def chat(base_url: str, model: str, messages: list[dict[str, str]], *,
         api_key_env: str = "OPENAI_API_KEY", timeout: float = 30.0, **params: Any) -> str:
    """POST ``{base_url}/chat/completions`` and return the first choice's message content.

    The bearer token comes from ``$api_key_env`` when set (local servers often need none).
    Transport failures, HTTP errors, timeouts and malformed envelopes raise ChatError.
    """
    body = json.dumps({"model": model, "messages": messages, **params}).encode()
    headers = {"Content-Type": "application/json"}
    if key := os.environ.get(api_key_env):
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"{base_url.rstrip('/')}/chat/completions", body, headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ChatError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChatError(f"request failed: {exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChatError(f"response is not JSON: {exc}") from exc
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ChatError(f"not a chat-completions response: {str(payload)[:200]}") from exc
    if not isinstance(content, str):
        raise ChatError(f"message content is not text: {content!r:.200}")
    return content


def json_object(content: str) -> dict[str, Any] | None:
    """The JSON object a model replied with (optionally inside a ``` fence), else None."""
    text = content.strip()
    if text.startswith("```"):
        text = text.removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


class ChatEndpoint:
    """One model at an OpenAI-compatible endpoint (shared by the LLM judge and generator):
    ``ask(system, user)`` returns the reply's content at temperature 0 or raises ChatError."""

    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 30.0) -> None:
        self.base_url, self.model = base_url, model
        self.api_key_env, self.timeout = api_key_env, timeout

    def ask(self, system: str, user: str) -> str:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        return chat(self.base_url, self.model, messages, api_key_env=self.api_key_env,
                    timeout=self.timeout, temperature=0)
