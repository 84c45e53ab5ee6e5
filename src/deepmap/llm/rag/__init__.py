"""Retrieval-augmented generation, the map's five steps: chunk, embed, store, retrieve,
generate. This package holds the first four (retrieval, with sources); the generator plugs
in at `deepmap.llm.rag.retrieve.Retriever.search`'s hits (see `build_context` there).

    chunk.py     sentence-aware token chunks with overlap, each with its char span
    embed.py     MiniLM sentence embeddings (mean pooling over the mask, L2-normalised)
    index.py     the on-disk index: FAISS (flat or HNSW) + SQLite (text, metadata, vectors)
    bm25.py      Okapi BM25 (Lucene's k1 = 1.2, b = 0.75 and idf)
    retrieve.py  dense, BM25 and hybrid (reciprocal-rank fusion, k = 60) search
    evaluate.py  recall@k, MRR, latency and throughput on a question/passage JSONL (BoolQ)
"""
