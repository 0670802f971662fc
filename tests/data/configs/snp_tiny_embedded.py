# SNP (MLM + VTC) on the embedded corpus, shrunk for tests: a 2-layer
# 32-wide BERT from scratch and timm's tiny test EfficientNet, 2 frames at
# 32 px, batch 4, 6 iterations. Point the data roots at a tiny corpus with
# --cfg-options.
_base_ = [
    '../../../configs/_base_/models/snp_minilm_effnet-lite0.py',
    '../../../configs/_base_/datasets/embedded_pretrain.py',
    '../../../configs/_base_/schedules/embedded_pretrain.py',
    '../../../configs/_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        model_name='test_efficientnet', checkpoint=None,
        key_mapping='by_name'),
    encoder=dict(
        pretrained=None,
        config=dict(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=64)))

tiny_train_pipeline = [
    dict(type='DecodeVideo', num_frames=2),
    dict(type='RandomResizedCrop', size=32),
    dict(type='TokenizeCaption', max_length=16),
    dict(type='RandomMLMMasking'),
    dict(type='PackVideoTextInputs'),
]
tiny_test_pipeline = [
    dict(type='DecodeVideo', num_frames=2, test_mode=True),
    dict(type='Resize', short_side=32),
    dict(type='CenterCrop', size=32),
    dict(type='TokenizeCaption', max_length=16, random_window=False),
    dict(type='PackVideoTextInputs'),
]
train_dataloader = dict(
    batch_size=4, num_workers=1, dataset=dict(pipeline=tiny_train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=tiny_test_pipeline))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=6, val_interval=6)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=6)
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
