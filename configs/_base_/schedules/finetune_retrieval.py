# Retrieval fine-tuning (method §4): AdamW lr 1e-5 with the pre-training's
# betas and decay rule, gradient norm clipped at 5, bf16, global batch 32.
# The paper gives no epoch counts or warm-up: we warm up linearly over the
# first 500 iterations and decay by cosine to 1% over the epochs, which
# each experiment sets (max_epochs here is a placeholder, and an experiment
# that changes it restates param_scheduler and train_cfg).
max_epochs = 5
warmup_iters = 500

optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW',
        lr=1e-5,
        betas=(0.9, 0.98),
        weight_decay=1e-3,
        fused=True),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, bypass_duplicate=True),
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
        by_epoch=True,
        begin=0,
        end=max_epochs,
        eta_min_ratio=0.01,
        convert_to_iter_based=True),
]

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
auto_scale_lr = dict(base_batch_size=32, enable=False)
