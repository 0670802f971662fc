# MSR-VTT text-video retrieval fine-tuning: train on the 9k list (every
# caption of its videos; the 7k config swaps the list), test on the 1k-A
# list (one caption per video). 16 frames in training and in test, as the
# paper fine-tunes; 224 px crops. Official files and layout:
# tools/data/msrvtt/README.md.
data_root = 'data/msrvtt'
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
        type='MSRVTTRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/MSRVTT_data.json',
        split_file='annotations/MSRVTT_train.9k.csv',
        video_dir='videos/all',
        pipeline=train_pipeline))

test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MSRVTTRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/MSRVTT_data.json',
        split_file='annotations/MSRVTT_JSFUSION_test.csv',
        video_dir='videos/all',
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='RetrievalMetric')
test_cfg = dict(type='RetrievalTestLoop')
# MSR-VTT has no separate validation list for 1k-A: validate on it, with
# the cheap dual-encoder scores (the test config sets the reported scoring).
val_dataloader = test_dataloader
val_evaluator = test_evaluator
val_cfg = dict(type='RetrievalValLoop')
