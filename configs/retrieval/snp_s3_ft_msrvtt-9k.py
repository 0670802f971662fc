# SNP-S3 fine-tuned for text-video retrieval on MSR-VTT 9k, tested on 1k-A
# (the paper's MSRVTT-9k column): VTC + cross matching, 16 frames, batch 32
# (4 x 8 GPUs), lr 1e-5, from a pre-trained checkpoint:
#   bash tools/dist_train.sh configs/retrieval/snp_s3_ft_msrvtt-9k.py 8 \
#       --cfg-options model.init_from.checkpoint=$PRETRAINED
#   bash tools/dist_test.sh configs/retrieval/snp_s3_ft_msrvtt-9k.py \
#       work_dirs/snp_s3_ft_msrvtt-9k/epoch_2.pth 8
# (PRETRAINED: a pre-training checkpoint, e.g.
# work_dirs/snp_s3_webvid/epoch_10.pth.)
# Epochs (the paper gives none): an epoch here is every caption of every
# training video (9k x 20 = 180k pairs, 5.6k iterations at batch 32), so 2
# epochs show each video 40 times in ~11k iterations.
_base_ = [
    '../_base_/models/snp-gvtm_bert-base_r50_ft.py',
    '../_base_/datasets/msrvtt_retrieval.py',
    '../_base_/schedules/finetune_retrieval.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=True, interval=1, max_keep_ckpts=2))
log_processor = dict(by_epoch=True)

max_epochs = 2
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        end=max_epochs,
        eta_min_ratio=0.01,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)

# Reported scores: the dual encoder's top 128 of every query in both
# directions re-ranked by the fusion encoder's cross-matching score
# (2 x 1000 x 128 fusion passes). The public code's protocol fuses every
# pair (10^6 passes): --cfg-options test_cfg.scoring.mode=exhaustive.
# Validation (each epoch, on 1k-A, which has no separate val list) uses
# the dual scores only.
test_cfg = dict(scoring=dict(mode='rerank', k=128, head='xm'))
val_cfg = dict(scoring=dict(mode='dual'))
