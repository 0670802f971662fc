# Retrieval fine-tuning on the embedded corpus (the README's main job runs
# it after pre-training): its fine-tuning split (MSRVTT_train.9k.csv, 100
# videos x 5 sentences) trains VTC + cross matching from the pre-trained
# checkpoint; the held-out test split (1k-A format, 100 videos) is scored at
# the end. The paper's recipe (method §4) at the main job's CPU size:
# MiniLM-L6 + EfficientNet-Lite0 as pre-trained, batch 16, 4 frames at 64 px
# (the paper fine-tunes with 16 frames; 4 keeps a step near 1.5 s on 2 CPU
# cores), 60 iterations (~2 epochs of the 500 pairs; ~1.5 min of steps at
# the ~1.5 s/step that GVTM pre-training takes on 2 free cores).
#   python tools/train.py configs/retrieval/snp_s3_ft_embedded.py
#   python tools/test.py configs/retrieval/snp_s3_ft_embedded.py \
#       work_dirs/snp_s3_ft_embedded/iter_60.pth
_base_ = [
    '../_base_/models/snp_minilm_effnet-lite0.py',
    '../_base_/datasets/embedded_pretrain.py',
    '../_base_/default_runtime.py',
]

model = dict(
    heads=dict(
        mlm=None,
        # GVTM's cross matching with one hard negative per row and column,
        # as the embedded pre-training configs (CPU cost).
        xm=dict(
            type='CrossMatchingHead',
            hidden_size=None,
            negatives='hard',
            num_hard=1)),
    init_from=dict(
        # The main job's pre-training (configs/pretrain/
        # snp_mssm-vtc-lvwm_embedded.py). It has no cross-matching head, so
        # heads.xm starts fresh; its MSSM and LVWM heads are not used.
        checkpoint='work_dirs/snp_mssm-vtc-lvwm_embedded/iter_250.pth',
        key_map=[],
        ignore=[],
        require=[r'^backbone\.', r'^encoder\.', r'^heads\.vtc\.']))

train_dataloader = dict(
    dataset=dict(
        type='MSRVTTRetrievalDataset',
        ann_file='annotations/MSRVTT_data.json',
        split_file='annotations/MSRVTT_train.9k.csv',
        video_dir='videos/msrvtt',
        pipeline={{_base_.contrastive_pipeline}}))

max_iters = 60
warmup_iters = 6
# The paper's lr 1e-5 is for ~10k steps; over 60 steps it left the model
# where pre-training did (t2v R@1 12 vs 10 zero-shot, within noise). At CPU
# scale: half the pre-training lr, and 10x that for the new cross-matching
# head.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW',
        lr=5e-5,
        betas=(0.9, 0.98),
        weight_decay=1e-3,
        fused=True),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        bypass_duplicate=True,
        custom_keys={'heads.xm': dict(lr_mult=10.0)}),
    clip_grad=dict(max_norm=5.0))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters,
        eta_min_ratio=0.01),
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)

# Dual-encoder scores, in the val loop at the end of training and in
# tools/test.py. Re-ranking by cross matching is not the default here: the
# main job's checkpoint has no cross-matching head, and 60 iterations at
# lr 1e-5 leave the new one weak (measured: t2v R@1 4 re-ranked top-16 vs
# 12 dual); try it with --cfg-options test_cfg.scoring.mode=rerank
# test_cfg.scoring.k=16 test_cfg.scoring.head=xm, and add
# test_cfg.scoring.dual_weight=1.0 to keep the dual score in the fused one
# (README, "Retrieval scoring").
test_cfg = dict(scoring=dict(mode='dual'))
val_cfg = dict(scoring=dict(mode='dual'))

default_hooks = dict(checkpoint=dict(interval=max_iters))
