#!/usr/bin/env bash
# The main job, end to end on the embedded corpus:
#   set up .venv -> generate the corpus -> mine its significant words
#   -> pre-train SNP with S3 (MSSM + VTC + LVWM)
#   -> zero-shot text-video retrieval on the held-out test split
#   -> fine-tune retrieval (VTC + cross matching) and evaluate it
#   -> fine-tune open-ended VideoQA and evaluate it
#   -> multiple-choice QA with the retrieval-fine-tuned model (no training)
#   -> one table of every result, and the training curves.
# Re-running reuses what is done: the environment, the corpus, and each
# training run (resumed from its last checkpoint, so a killed run continues).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup_env.sh
source tools/malloc_env.sh
PY=.venv/bin/python
ANN=data/embedded/annotations
PRE=work_dirs/snp_mssm-vtc-lvwm_embedded
RET=work_dirs/snp_s3_ft_embedded
QA=work_dirs/snp_s3_ft_embedded-qa
# Every evaluation below runs once, after training, with tools/test.py.
NO_VAL="train_cfg.val_begin=1000000"

echo "[quickstart] 1/8 embedded corpus -> data/embedded"
"$PY" tools/data/embedded/generate.py --out data/embedded

echo "[quickstart] 2/8 significant words (MSSM/LVWM) -> $ANN/significant_words.json"
if [ ! -s "$ANN/significant_words.json" ] || \
   [ "$ANN/pretrain_train.jsonl" -nt "$ANN/significant_words.json" ]; then
    "$PY" tools/analysis_tools/mine_significant_words.py \
        "$ANN/pretrain_train.jsonl" --out "$ANN/significant_words.json" \
        --stop-words "$ANN/domain_stopwords.txt"
else
    echo "significant words up to date"
fi

echo "[quickstart] 3/8 pre-training (configs/pretrain/snp_mssm-vtc-lvwm_embedded.py)"
"$PY" tools/train.py configs/pretrain/snp_mssm-vtc-lvwm_embedded.py \
    --work-dir "$PRE" --resume --cfg-options "$NO_VAL"
PRE_CKPT=$(cat "$PRE/last_checkpoint")

echo "[quickstart] 4/8 zero-shot retrieval on the held-out test split"
"$PY" tools/test.py configs/retrieval/snp_s3_zeroshot_embedded.py "$PRE_CKPT" \
    --work-dir "$PRE" --out "$PRE/retrieval_results.json"

echo "[quickstart] 5/8 retrieval fine-tuning (configs/retrieval/snp_s3_ft_embedded.py)"
"$PY" tools/train.py configs/retrieval/snp_s3_ft_embedded.py --work-dir "$RET" \
    --resume --cfg-options "$NO_VAL" "model.init_from.checkpoint=$PRE_CKPT"
RET_CKPT=$(cat "$RET/last_checkpoint")
"$PY" tools/test.py configs/retrieval/snp_s3_ft_embedded.py "$RET_CKPT" \
    --work-dir "$RET" --out "$RET/retrieval_results.json"

echo "[quickstart] 6/8 VideoQA fine-tuning (configs/vqa/snp_s3_ft_embedded-qa.py)"
"$PY" tools/train.py configs/vqa/snp_s3_ft_embedded-qa.py --work-dir "$QA" \
    --resume --cfg-options "$NO_VAL" "model.init_from.checkpoint=$PRE_CKPT"
"$PY" tools/test.py configs/vqa/snp_s3_ft_embedded-qa.py \
    "$(cat "$QA/last_checkpoint")" --work-dir "$QA" --out "$QA/qa_results.json"

echo "[quickstart] 7/8 multiple-choice QA with the retrieval-fine-tuned model"
"$PY" tools/test.py configs/mc/snp_s3_embedded-mc.py "$RET_CKPT" \
    --work-dir "$RET" --out "$RET/mc_results.json"

echo "[quickstart] 8/8 summary"
"$PY" tools/analysis_tools/plot_curves.py "$PRE" --out "$PRE/curves.png"
"$PY" tools/analysis_tools/summarize_results.py \
    "zero-shot=$PRE/retrieval_results.json" \
    "fine-tuned=$RET/retrieval_results.json" \
    "fine-tuned=$QA/qa_results.json" \
    "fine-tuned (no MC training)=$RET/mc_results.json" \
    --out work_dirs/quickstart_summary.md
echo "[quickstart] pre-trained checkpoint:  $PRE_CKPT"
echo "[quickstart] retrieval checkpoint:    $RET_CKPT (try: python demo/retrieve.py, see README)"
echo "[quickstart] summary table:           work_dirs/quickstart_summary.md"
echo "[quickstart] pre-training curves:     $PRE/curves.png"
