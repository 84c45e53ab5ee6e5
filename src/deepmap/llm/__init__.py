"""Local language models for prompting and RAG: generator backends (ours, Ollama)."""

__all__ = ["OllamaClient"]


def __getattr__(name: str):
    if name == "OllamaClient":
        from deepmap.llm.ollama import OllamaClient

        return OllamaClient
    raise AttributeError(name)
