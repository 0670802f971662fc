# SNP-S3 fine-tuned for DiDeMo paragraph-to-video retrieval: VTC + cross
# matching, 16 frames, batch 32 (4 x 8 GPUs), lr 1e-5, from a pre-trained
# checkpoint; validated on val_data.json, tested on test_data.json.
#   bash tools/dist_train.sh configs/retrieval/snp_s3_ft_didemo.py 8 \
#       --cfg-options model.init_from.checkpoint=$PRETRAINED
#   bash tools/dist_test.sh configs/retrieval/snp_s3_ft_didemo.py \
#       work_dirs/snp_s3_ft_didemo/epoch_20.pth 8
# (PRETRAINED: a pre-training checkpoint, e.g.
# work_dirs/snp_s3_webvid/epoch_10.pth.)
# Epochs (the paper gives none): one paragraph per video makes an epoch
# short (~8.4k pairs, ~260 iterations at batch 32); 20 epochs give ~5k
# iterations, each paragraph seen 20 times.
_base_ = [
    '../_base_/models/snp-gvtm_bert-base_r50_ft.py',
    '../_base_/datasets/didemo_retrieval.py',
    '../_base_/schedules/finetune_retrieval.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=True, interval=1, max_keep_ckpts=2))
log_processor = dict(by_epoch=True)

max_epochs = 20
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
train_cfg = dict(max_epochs=max_epochs, val_interval=5)

# Reported: dual top-128 re-ranked by cross matching, both directions
# (~1k paragraphs and videos); exhaustive fusion with
# --cfg-options test_cfg.scoring.mode=exhaustive. Validation: dual only.
test_cfg = dict(scoring=dict(mode='rerank', k=128, head='xm'))
val_cfg = dict(scoring=dict(mode='dual'))
