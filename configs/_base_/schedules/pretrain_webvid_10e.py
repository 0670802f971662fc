# The paper's optimisation: AdamW lr 5e-5, betas (0.9, 0.98), weight decay
# 1e-3 except biases and norms, gradient norm clipped at 5, bf16 mixed
# precision, linear warm-up from 0.1 x lr over 2000 iterations, then a x0.1
# step. The paper gives the step for CC3M (110k of 130k iterations, ~85%);
# for 10 WebVid epochs we step after epoch 8, the same fraction.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    # fused: one kernel over all parameters per step. torch's default on CPU
    # is a loop over tensors that took a quarter of a BERT-base step.
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
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2000),
    dict(type='MultiStepLR', by_epoch=True, milestones=[8], gamma=0.1),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_interval=1)
# Recipes are written for 8 GPUs x 16; `--auto-scale-lr` style scaling.
auto_scale_lr = dict(base_batch_size=128, enable=False)
