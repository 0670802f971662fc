# Runtime shared by every experiment: logging, checkpoints, environment.
default_scope = 'snps3'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=1000,
        max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # A resumed run continues the interrupted one's dropout and sampling.
    rng_state=dict(type='RNGStateHook'),
)
custom_hooks = [dict(type='BadSampleCounterHook')]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend')
]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_processor = dict(by_epoch=False, window_size=10)
log_level = 'INFO'

# Heads are switched on and off by config, so some parameters (the fusion
# pooler without a matching head, say) may get no gradient in a step; DDP
# must know, or it waits for them forever.
find_unused_parameters = True

# Speed switches. `compile = True` (or torch.compile's arguments as a dict)
# has MMEngine compile the whole train step; per module instead:
# model.encoder.compile / model.backbone.compile. Activation checkpointing:
# model.encoder.gradient_checkpointing, model.backbone.grad_checkpointing.
# bf16: `--amp` on tools/train.py; model.backbone.autocast=False keeps the
# frame backbone in fp32 under it. model.encoder.fast_dropout (default True)
# draws the BERTs' CPU dropout masks cheaply. tools/dist_train.sh and
# quickstart.sh put large tensors on huge pages (tools/malloc_env.sh).
compile = False

load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
