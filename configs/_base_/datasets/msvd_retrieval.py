# MSVD text-video retrieval fine-tuning: the standard 1,200 / 100 / 670
# split (tools/data/msvd/make_splits.py writes the lists), every caption
# (about 40 per video) a training pair; at test time all captions of a
# video are its ground truths. 16 frames, 224 px crops. Official files and
# layout: tools/data/msvd/README.md.
data_root = 'data/msvd'
tokenizer = 'data/pretrained/bert-base-uncased'
num_frames = 16

train_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames, out_short_side=256),
    dict(type='RandomResizedCrop', size=224, scale=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=32),
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
        max_length=32,
        random_window=False),
    dict(type='PackVideoTextInputs'),
]

train_dataloader = dict(
    batch_size=4,  # per GPU: the paper's batch 32 is 4 x 8 GPUs
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MSVDRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/AllVideoDescriptions.txt',
        split_file='annotations/train_list.txt',
        video_dir='YouTubeClips',
        pipeline=train_pipeline))

test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MSVDRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/AllVideoDescriptions.txt',
        split_file='annotations/test_list.txt',
        video_dir='YouTubeClips',
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='RetrievalMetric')
test_cfg = dict(type='RetrievalTestLoop')

# The 100 validation clips select the checkpoint.
val_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MSVDRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/AllVideoDescriptions.txt',
        split_file='annotations/val_list.txt',
        video_dir='YouTubeClips',
        pipeline=test_pipeline,
        test_mode=True))
val_evaluator = test_evaluator
val_cfg = dict(type='RetrievalValLoop')
