# WebVid-2M pre-training (WebVid's CSV; videos at
# data/webvid/videos/{page_dir}/{videoid}.mp4) with zero-shot retrieval on
# MSR-VTT 1k-A (official MSRVTT_data.json, JSFusion test list,
# videos at data/msrvtt/videos/all/{video_id}.mp4).
tokenizer = 'data/pretrained/bert-base-uncased'
num_frames = 4  # pre-training (the paper); fine-tuning uses 16

# Mine it once: python tools/analysis_tools/mine_significant_words.py \
#   data/webvid/results_2M_train.csv --out data/webvid/significant_words.json
significant_words = 'data/webvid/significant_words.json'

clip_and_caption = [
    dict(type='DecodeVideo', num_frames=num_frames, out_short_side=336),
    dict(type='RandomResizedCrop', size=224, scale=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=30),
]
mlm = dict(type='RandomMLMMasking', tokenizer=tokenizer, mask_prob=0.15)
mssm = dict(
    type='MSSMMasking', vocab_file=significant_words, tokenizer=tokenizer)
lvwm_words = dict(
    type='SelectSignificantWords',
    vocab_file=significant_words,
    num_words=3,
    tokenizer=tokenizer)
pack = dict(type='PackVideoTextInputs')
# The S3 ablation's four data pipelines, and one for dual encoders.
train_pipeline = clip_and_caption + [mlm, pack]
mlm_lvwm_pipeline = clip_and_caption + [mlm, lvwm_words, pack]
mssm_pipeline = clip_and_caption + [mssm, pack]
mssm_lvwm_pipeline = clip_and_caption + [mssm, lvwm_words, pack]
contrastive_pipeline = clip_and_caption + [pack]
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
    batch_size=16,  # per GPU; the paper's 128 is 16 x 8 GPUs
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='WebVidDataset',
        data_root='data/webvid',
        ann_file='results_2M_train.csv',
        video_dir='videos',
        pipeline=train_pipeline))

test_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MSRVTTRetrievalDataset',
        data_root='data/msrvtt',
        ann_file='annotations/MSRVTT_data.json',
        split_file='annotations/MSRVTT_JSFUSION_test.csv',
        video_dir='videos/all',
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='RetrievalMetric')
test_cfg = dict(type='RetrievalTestLoop')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
val_cfg = dict(type='RetrievalValLoop')
