# DiDeMo paragraph-to-video retrieval fine-tuning: the descriptions of a
# video joined into one paragraph retrieve the whole video (one text per
# video). Train on train_data.json, test on test_data.json. 16 frames;
# paragraphs get 64 tokens (most are 3-5 sentences). Official files and
# layout: tools/data/didemo/README.md.
data_root = 'data/didemo'
tokenizer = 'data/pretrained/bert-base-uncased'
num_frames = 16
max_length = 64

train_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames, out_short_side=256),
    dict(type='RandomResizedCrop', size=224, scale=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=max_length),
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
        max_length=max_length,
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
        type='DiDeMoRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/train_data.json',
        video_dir='videos',
        pipeline=train_pipeline))

test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='DiDeMoRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/test_data.json',
        video_dir='videos',
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='RetrievalMetric')
test_cfg = dict(type='RetrievalTestLoop')

# DiDeMo has an official validation split: model selection uses it.
val_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='DiDeMoRetrievalDataset',
        data_root=data_root,
        ann_file='annotations/val_data.json',
        video_dir='videos',
        pipeline=test_pipeline,
        test_mode=True))
val_evaluator = test_evaluator
val_cfg = dict(type='RetrievalValLoop')
