#!/usr/bin/env bash
# The GPU figures of the BERT rungs, one prepared script (run from the repository root on a
# machine with a CUDA GPU). It runs the map's recipe (3 epochs, lr 3e-5 / LoRA 5e-4, linear
# warmup, 256 WordPieces head+tail, batch 16, bf16) on the bundled IMDb 20k/5k hold-out:
#   1. the ladder's top: tfidf, nbsvm, bert-frozen, bert-finetune, bert-lora on all 20k;
#   2. learning curves of the same rungs at 500, 2,000, 5,000 and 20,000 reviews (the 20k
#      fits come from step 1's cache: DEEPMAP_HOME is shared);
#   3. the fully fine-tuned model, in float16, split into parts under 16 MiB (so it can be
#      copied back and its int8 / ONNX accuracy measured on a CPU: see bench_bert_latency).
# Each step has its own time limit and its results are gathered as it ends. Usage:
#   OUT=/tmp/gpu ENCODER=minilm bash benchmarks/gpu_bert_figures.sh
# ENCODER: a model name or folder (a float16 copy of MiniLM travels where 90 MB can't).
# A quick trial on a CPU: DATA=tiny.csv SIZES=24,48 EXTRA="--max-steps 2" (same script).
set -u
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
OUT="${OUT:-/tmp/gpu-figures}"; RUNS=/tmp/gpu-runs; mkdir -p "$OUT" "$RUNS"
export DEEPMAP_HOME="${DEEPMAP_HOME:-/tmp/gpu-home}"
PY="${PYTHON:-python3}"; ENCODER="${ENCODER:-minilm}"
LOG="$OUT/log.txt"
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"
} >>"$LOG" 2>&1

ladder() {  # ladder NAME SECONDS ARGS...: one timed `deepmap ladder text` run
  local name=$1 limit=$2; shift 2
  echo "== $name: deepmap ladder text $* ($(date -u +%T))" >>"$LOG"
  local t0=$SECONDS
  timeout "$limit" $PY -m deepmap ladder text --data "${DATA:-bundled}" --seed 0 --encoder "$ENCODER" \
    --rungs tfidf,nbsvm,bert-frozen,bert-finetune,bert-lora ${EXTRA:-} "$@" --out "$RUNS/$name" >>"$LOG" 2>&1
  echo "== $name: exit $? after $((SECONDS - t0)) s" >>"$LOG"
  [ -f "$RUNS/$name/results.json" ] && cp "$RUNS/$name/results.json" "$OUT/$name.json"
}

ladder ladder-bert "${LIMIT1:-330}"
ladder curves "${LIMIT2:-200}" --train-sizes "${SIZES:-500,2000,5000,20000}" --no-diagnostics --latency-docs 20
[ -f "$RUNS/curves/learning_curve.png" ] && cp "$RUNS/curves/learning_curve.png" "$OUT/"

# 3. the fine-tuned model of step 1 (the first one cached), float16, in parts
$PY - "$DEEPMAP_HOME/finetuned" "$OUT" >>"$LOG" 2>&1 <<'EOF'
import json, sys, tarfile, io
from pathlib import Path
import torch
from safetensors.torch import load_file, save_file
root, out = Path(sys.argv[1]), Path(sys.argv[2])
folders = sorted((p for p in root.glob("*/deepmap.json")), key=lambda p: p.stat().st_mtime)
full = [p.parent for p in folders if json.loads(p.read_text())["mode"] == "finetune"]
if not full:
    sys.exit("no fine-tuned model cached")
src = full[0]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as tar:
    for f in src.iterdir():
        if f.name == "model.safetensors":
            sd = {k: (v.half() if v.is_floating_point() else v).contiguous()
                  for k, v in load_file(f).items()}
            tmp = Path("/tmp/model16.safetensors"); save_file(sd, tmp)
            tar.add(tmp, arcname="model.safetensors")
        else:
            tar.add(f, arcname=f.name)
data, part = buf.getvalue(), 15 * 2**20
for i in range(0, len(data), part):
    (out / f"finetuned.tar.part{i // part}").write_bytes(data[i : i + part])
print("fine-tuned model", src.name, len(data), "bytes in", -(-len(data) // part), "parts")
EOF
echo "== done ($(date -u +%T))" >>"$LOG"
