# The main job's pre-training (snp_mssm-vtc-lvwm_embedded.py) at 4x the
# iterations: 1,000 instead of 250, ~18 min on 2 CPU cores. The extra
# iterations are where the fusion mode starts reading the clip: the MSSM
# loss with another caption's clip exceeds the one with the own clip by
# 0.01-0.03 nats after 250 iterations and by 0.89 after 1,000
# (tools/analysis_tools/probe_fusion.py), and zero-shot t2v R@1 goes from
# 20 to 42 (README, "Does the fusion pass see the video?").
_base_ = ['./snp_mssm-vtc-lvwm_embedded.py']

max_iters = 1000
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=False,
        begin=0,
        end={{_base_.warmup_iters}}),
    dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        begin={{_base_.warmup_iters}},
        end=max_iters,
        eta_min_ratio=0.01),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=250))
