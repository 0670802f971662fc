#!/usr/bin/env bash
# The main job, end to end on the embedded corpus:
#   set up .venv -> generate the corpus -> mine its significant words
#   -> pre-train SNP with S3 (MSSM + VTC + LVWM)
#   -> zero-shot text-video retrieval on the held-out test split.
# Re-running reuses what is done: the environment, the corpus, and the
# training run (resumed from its last checkpoint, so a killed run continues).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup_env.sh
PY=.venv/bin/python
CONFIG=configs/pretrain/snp_mssm-vtc-lvwm_embedded.py
WORK=work_dirs/snp_mssm-vtc-lvwm_embedded
ANN=data/embedded/annotations

echo "[quickstart] 1/4 embedded corpus -> data/embedded"
"$PY" tools/data/embedded/generate.py --out data/embedded

echo "[quickstart] 2/4 significant words (MSSM/LVWM) -> $ANN/significant_words.json"
if [ ! -s "$ANN/significant_words.json" ] || \
   [ "$ANN/pretrain_train.jsonl" -nt "$ANN/significant_words.json" ]; then
    "$PY" tools/analysis_tools/mine_significant_words.py \
        "$ANN/pretrain_train.jsonl" --out "$ANN/significant_words.json" \
        --stop-words "$ANN/domain_stopwords.txt"
else
    echo "significant words up to date"
fi

echo "[quickstart] 3/4 pre-training ($CONFIG)"
# The retrieval evaluation follows in step 4; skip the in-training one.
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK" --resume \
    --cfg-options train_cfg.val_begin=1000000

echo "[quickstart] 4/4 zero-shot retrieval on the held-out test split"
CKPT=$(cat "$WORK/last_checkpoint")
"$PY" tools/test.py configs/retrieval/snp_s3_zeroshot_embedded.py "$CKPT" \
    --work-dir "$WORK" --out "$WORK/retrieval_results.json"
"$PY" tools/analysis_tools/plot_curves.py "$WORK" --out "$WORK/curves.png"
echo "[quickstart] checkpoint: $CKPT"
echo "[quickstart] metrics:    $WORK/retrieval_results.json"
echo "[quickstart] curves:     $WORK/curves.png"
