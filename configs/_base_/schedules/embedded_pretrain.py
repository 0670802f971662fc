# A short CPU schedule for the embedded corpus: AdamW with the paper's betas
# and decay rule, a linear warm-up, then cosine decay.
max_iters = 250
warmup_iters = 25

optim_wrapper = dict(
    type='OptimWrapper',
    # fused: one kernel over all parameters per step. torch's default on CPU
    # is a loop over tensors that took a quarter of a BERT-base step.
    optimizer=dict(
        type='AdamW',
        lr=1e-4,
        betas=(0.9, 0.98),
        weight_decay=1e-3,
        fused=True),
    # No weight decay on biases and LayerNorm/BatchNorm weights.
    # The MLM decoder shares its weight with the word embeddings: add it once.
    # The frame backbone's projection to the BERT width (TimmFrameEncoder's
    # `proj`) starts random between two pre-trained networks and learns at
    # 10x: at 1x, 250 iterations leave it too slow to follow. Measured with
    # snp_mssm-vtc-lvwm_embedded.py, seeds 0 and 1: zero-shot t2v R@1 15/16
    # -> 20/22, LVWM training accuracy 0.47/0.46 -> 0.68/0.65 (README).
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        bypass_duplicate=True,
        custom_keys={'backbone.proj': dict(lr_mult=10.0)}),
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
