"""A client for an Ollama server's `/api/generate` (the map's "run LLMs locally" tool).

Ollama answers POST /api/generate {"model", "prompt", "stream": true, "options": {...}}
with NDJSON: one JSON object per line, each carrying the next piece of text in
"response", the last one with "done": true and the run's counters (eval_count,
eval_duration in nanoseconds, ...). `OllamaClient.stream` yields the pieces as they
arrive; `generate` joins them and returns the final counters too.

Only the standard library is used (urllib): no new dependency, and a test talks to a
real HTTP server it starts on localhost. Errors are one line: no server at the URL, an
unknown model (Ollama answers 404 with {"error": ...}), a reply that is not NDJSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib import error, request
from urllib.parse import urlparse

from deepmap.errors import DataError, InputError

__all__ = ["OllamaClient", "OllamaReply"]

DEFAULT_HOST = "http://localhost:11434"


@dataclass
class OllamaReply:
    """The whole answer and the server's final counters (tokens, durations in ns)."""

    text: str
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens_per_second(self) -> float | None:
        n, ns = self.stats.get("eval_count"), self.stats.get("eval_duration")
        return n / (ns / 1e9) if n and ns else None


class OllamaClient:
    """`OllamaClient(model, host=...)`; `stream(prompt, **options)` yields text pieces.

    options are Ollama's sampling options (temperature, top_k, top_p, repeat_penalty,
    num_predict, seed), passed through as they are.
    """

    def __init__(self, model: str, *, host: str = DEFAULT_HOST, timeout: float = 120.0):
        self.model, self.host, self.timeout = model, host, timeout

    def _url(self) -> str:
        parsed = urlparse(self.host)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InputError(
                f"--host must be an http(s) URL like {DEFAULT_HOST}. Got {self.host!r}."
            )
        if not self.model:
            raise InputError("--model must name an Ollama model (for example smollm2:135m).")
        return self.host.rstrip("/") + "/api/generate"

    def stream(self, prompt: str, **options: Any) -> Iterator[str]:
        """Yield the answer piece by piece; the last reply's counters go to `self.last_stats`."""
        url = self._url()
        body = {"model": self.model, "prompt": prompt, "stream": True}
        if options:
            body["options"] = options
        req = request.Request(url, data=json.dumps(body).encode(), method="POST",
                              headers={"Content-Type": "application/json"})  # fmt: skip
        self.last_stats: dict[str, Any] = {}
        try:
            resp = request.urlopen(req, timeout=self.timeout)
        except error.HTTPError as e:
            detail = _error_text(e.read())
            raise DataError(f"Ollama at {self.host}: HTTP {e.code} ({detail}).") from None
        except (error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise DataError(
                f"no Ollama server at {self.host} ({reason}); start one with `ollama serve` "
                f"and `ollama pull {self.model}`, or use the default backend."
            ) from None
        with resp:
            for n, raw in enumerate(resp, 1):
                line = raw.strip()
                if not line:
                    continue
                try:
                    chunk = json.loads(line)
                except json.JSONDecodeError:
                    raise DataError(
                        f"Ollama at {self.host}: reply line {n} is not JSON ({line[:60]!r})."
                    ) from None
                if not isinstance(chunk, dict):
                    raise DataError(f"Ollama at {self.host}: reply line {n} is not an object.")
                if "error" in chunk:
                    raise DataError(f"Ollama at {self.host}: {chunk['error']}.")
                piece = chunk.get("response", "")
                if piece:
                    yield piece
                if chunk.get("done"):
                    self.last_stats = {k: v for k, v in chunk.items() if k != "response"}
                    return
        raise DataError(f"Ollama at {self.host}: the reply ended before done: true.")

    def generate(self, prompt: str, **options: Any) -> OllamaReply:
        text = "".join(self.stream(prompt, **options))
        return OllamaReply(text, dict(self.last_stats))


def _error_text(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("error", "")) or raw.decode(errors="replace")[:80]
    except (ValueError, AttributeError):
        return raw.decode(errors="replace")[:80]
