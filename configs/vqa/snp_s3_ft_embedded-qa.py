# Open-ended VideoQA on the embedded corpus, fine-tuned from the README's
# main-job checkpoint (SNP, MSSM + VTC + LVWM, MiniLM-L6 + EfficientNet-
# Lite0): questions about colour, shape, motion and count, a classifier
# over the corpus's answers on the fusion [CLS] of [question ; video].
# 4 frames at 64 px, batch 16, 120 iterations (about 3 epochs of the
# ~600 training questions), AdamW lr 1e-4: a minute or two on 2 CPU cores.
# Tests on the held-out test videos at the end (accuracy overall and per
# question type).
#   python tools/train.py configs/vqa/snp_s3_ft_embedded-qa.py
#   python tools/test.py configs/vqa/snp_s3_ft_embedded-qa.py \
#       work_dirs/snp_s3_ft_embedded-qa/iter_120.pth
_base_ = [
    '../_base_/models/snp_minilm_effnet-lite0.py',
    '../_base_/datasets/embedded_qa.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _delete_=True,
    type='VideoQAModel',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    encoder={{_base_.model.encoder}},
    qa_head=dict(
        type='QAHead', hidden_size=None, num_classes={{_base_.num_answers}}),
    init_from=dict(
        checkpoint='work_dirs/snp_mssm-vtc-lvwm_embedded/iter_250.pth',
        key_map=[],
        ignore=[r'^heads\.(?!qa\.)', r'^momentum_model\.'],
        require=[r'^backbone\.', r'^encoder\.']))

max_iters = 120
warmup_iters = 12
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW',
        lr=1e-4,
        betas=(0.9, 0.98),
        weight_decay=1e-3,
        fused=True),
    # The classifier starts from scratch and has 120 steps to learn: it
    # gets 10x the learning rate of the pre-trained encoder and backbone.
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        bypass_duplicate=True,
        custom_keys={'heads.qa': dict(lr_mult=10.0)}),
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
default_hooks = dict(checkpoint=dict(interval=max_iters))
