# VideoQA fine-tuning. The paper gives no QA recipe; these values are ours:
# AdamW with the pre-training's betas and decay rule at lr 5e-5 (the answer
# classifier starts from scratch, so a little higher than retrieval's
# 1e-5), gradient norm clipped at 5, bf16, global batch 32, 10 epochs, a
# linear warm-up over the first 500 iterations, then cosine decay to 1%.
# An experiment that changes max_epochs restates param_scheduler and
# train_cfg.
max_epochs = 10
warmup_iters = 500

optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW',
        lr=5e-5,
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
