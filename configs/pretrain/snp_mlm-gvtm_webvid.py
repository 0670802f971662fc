# SNP pre-training on WebVid-2M with MLM + GVTM (the S3 ablation's baseline)
# and the paper's recipe: BERT-base shared between text and fusion modes,
# ResNet-50 frames (one token per frame), VTC + cross matching over all
# b x b pairs, 4 frames, batch 128 (16 x 8 GPUs), 10 epochs, AdamW 5e-5,
# bf16, 2000-iteration warm-up, step decay.
#   bash tools/dist_train.sh configs/pretrain/snp_mlm-gvtm_webvid.py 8
# The paper starts this stage from its CC3M checkpoint: set load_from.
_base_ = [
    '../_base_/models/snp-gvtm_bert-base_r50.py',
    '../_base_/datasets/webvid_pretrain.py',
    '../_base_/schedules/pretrain_webvid_10e.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(by_epoch=True, interval=1))
log_processor = dict(by_epoch=True)
load_from = None
