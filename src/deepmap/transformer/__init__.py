"""Transformers from the equations: blocks, MiniGPT (`deepmap.transformer.gpt`) and its KV
cache (`deepmap.transformer.kv_cache`)."""
