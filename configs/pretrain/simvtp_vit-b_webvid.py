# SimVTP's pre-training recipe (method notes §6): ViT-B unified encoder from
# VideoMAE ViT-B (Kinetics-400, 1600 epochs) and bert-base-uncased's
# embeddings; WebVid-2M, 16 frames at 224 px (2 x 16 x 16 tubes: 1568
# tokens, 160 visible at the 0.9 tube mask); captions masked at 0.75, every
# masked token to [MASK]; AdamW (0.9, 0.95), weight decay 0.05, peak lr
# 6e-4 at batch 1024 (64 GPUs x 16), 40 warm-up epochs, 200 epochs, cosine.
# Zero-shot text-video retrieval on MSR-VTT 1k-A every 10 epochs.
#
# Differences from the authors' code, on purpose: VTC and VTM see clean
# inputs and mean pooling skips padding (theirs: masked inputs, padding
# averaged in); frames are sampled TSN-style over the whole clip (theirs:
# a 64-frame window at stride 4); multi-scale cropping is approximated by
# RandomResizedCrop over 44-100% of the area.
_base_ = [
    '../_base_/models/simvtp_vit-b.py',
    '../_base_/datasets/webvid_pretrain.py',
    '../_base_/default_runtime.py',
]

tokenizer = 'data/pretrained/bert-base-uncased'
num_frames = 16
train_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames, out_short_side=256),
    dict(type='RandomResizedCrop', size=224, scale=(0.44, 1.0)),
    dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=30),
    dict(
        type='RandomMLMMasking',
        tokenizer=tokenizer,
        mask_prob=0.75,
        mask_ratio=1.0,
        random_ratio=0.0),
    dict(type='PackVideoTextInputs'),
]
test_pipeline = [
    dict(
        type='DecodeVideo',
        num_frames=num_frames,
        test_mode=True,
        out_short_side=224),
    dict(type='Resize', short_side=224),
    dict(type='CenterCrop', size=224),
    dict(
        type='TokenizeCaption',
        tokenizer=tokenizer,
        max_length=30,
        random_window=False),
    dict(type='PackVideoTextInputs'),
]
train_dataloader = dict(
    batch_size=16,  # per GPU; the paper's 1024 is 16 x 64 GPUs
    dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(batch_size=16, dataset=dict(pipeline=test_pipeline))
val_dataloader = test_dataloader

max_epochs = 200
warmup_epochs = 40
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW',
        lr=6e-4,
        betas=(0.9, 0.95),
        weight_decay=0.05,
        fused=True),
    # MAE-style: no decay on biases, norms and the decoder's mask token.
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        bypass_duplicate=True,
        custom_keys={'mask_token': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        eta_min=1e-6,
        convert_to_iter_based=True),
]
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
auto_scale_lr = dict(base_batch_size=1024, enable=False)
default_hooks = dict(checkpoint=dict(by_epoch=True, interval=10))
