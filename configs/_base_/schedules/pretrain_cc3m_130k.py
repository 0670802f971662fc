# The paper's CC3M schedule: the optimiser of the WebVid recipe, 130k
# iterations at batch 128, linear warm-up over 2000 iterations, x0.1 at 110k.
_base_ = ['./pretrain_webvid_10e.py']

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2000),
    dict(type='MultiStepLR', by_epoch=False, milestones=[110_000], gamma=0.1),
]
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=130_000,
    val_interval=10_000)
