# SimVTP's retrieval fine-tuning on the embedded corpus: a dual encoder whose
# video tower and text tower are both copies of the pre-trained unified
# encoder, trained with the contrastive loss alone (temperature 0.05), as in
# the paper; scored by dual-encoder similarity. Split, batch, clips and
# schedule as snp_s3_ft_embedded.py (MSRVTT_train.9k.csv, 60 iterations,
# batch 16, 4 frames at 64 px).
#   python tools/train.py configs/retrieval/simvtp_ft_embedded.py
#   python tools/test.py configs/retrieval/simvtp_ft_embedded.py \
#       work_dirs/simvtp_ft_embedded/iter_60.pth
_base_ = ['../pretrain/simvtp_vit-tiny_embedded.py']

model = dict(
    heads=dict(mvm=None, mlm=None, vtm=None),
    text_tower=True,
    init_from=dict(
        # configs/pretrain/simvtp_vit-tiny_embedded.py's last checkpoint;
        # its encoder fills both towers, its other heads are not used.
        checkpoint='work_dirs/simvtp_vit-tiny_embedded/iter_250.pth',
        key_map=[],
        ignore=[r'^heads\.'],
        require=[r'^encoder\.']))

train_dataloader = dict(
    dataset=dict(
        type='MSRVTTRetrievalDataset',
        ann_file='annotations/MSRVTT_data.json',
        split_file='annotations/MSRVTT_train.9k.csv',
        video_dir='videos/msrvtt',
        pipeline={{_base_.contrastive_pipeline}}))

max_iters = 60
warmup_iters = 6
optim_wrapper = dict(
    type='OptimWrapper',
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
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters,
        eta_min_ratio=0.01),
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(scoring=dict(mode='dual'))
test_cfg = dict(scoring=dict(mode='dual'))
default_hooks = dict(checkpoint=dict(interval=max_iters))
