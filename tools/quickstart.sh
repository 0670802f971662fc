#!/usr/bin/env bash
# The main job, end to end on the embedded corpus:
#   set up .venv -> generate the corpus -> pre-train SNP (MLM + VTC)
#   -> zero-shot text-video retrieval on the held-out test split.
# Re-running reuses what is done: the environment, the corpus, and the
# training run (resumed from its last checkpoint, so a killed run continues).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup_env.sh
PY=.venv/bin/python
WORK=work_dirs/snp_s3_embedded

echo "[quickstart] 1/3 embedded corpus -> data/embedded"
"$PY" tools/data/embedded/generate.py --out data/embedded

echo "[quickstart] 2/3 pre-training (configs/pretrain/snp_s3_embedded.py)"
# The retrieval evaluation follows in step 3; skip the in-training one.
"$PY" tools/train.py configs/pretrain/snp_s3_embedded.py --work-dir "$WORK" \
    --resume --cfg-options train_cfg.val_begin=1000000

echo "[quickstart] 3/3 zero-shot retrieval on the held-out test split"
CKPT=$(cat "$WORK/last_checkpoint")
"$PY" tools/test.py configs/retrieval/snp_s3_zeroshot_embedded.py "$CKPT" \
    --work-dir "$WORK" --out "$WORK/retrieval_results.json"
"$PY" tools/analysis_tools/plot_curves.py "$WORK" --out "$WORK/curves.png"
echo "[quickstart] checkpoint: $CKPT"
echo "[quickstart] metrics:    $WORK/retrieval_results.json"
echo "[quickstart] curves:     $WORK/curves.png"
