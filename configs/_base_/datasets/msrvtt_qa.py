# MSRVTT-QA open-ended VideoQA: classification over the 1,500 most frequent
# training answers (the paper's setting). Train on train_qa.json, validate
# on val_qa.json, test on test_qa.json; test questions whose answer is not
# a class count as wrong. 16 frames in training and test, as the retrieval
# fine-tuning; 224 px crops. Official files and layout:
# tools/data/msrvtt_qa/README.md.
data_root = 'data/msrvtt_qa'
tokenizer = 'data/pretrained/bert-base-uncased'
num_frames = 16
num_answers = 1500  # top-k answers; the QAHead's num_classes

# The question takes the caption's place (VideoQADataset copies it to
# `caption`), so the caption tokenizer serves; the answer class travels as
# an input (the loss reads it), the rest as metadata for the metric.
qa_pack = dict(
    type='PackVideoTextInputs',
    input_keys=('input_ids', 'attention_mask', 'answer_label'),
    meta_keys=('video_id', 'question', 'question_id', 'question_type',
               'answer', 'answer_label', 'text_id', 'video_index'))
train_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames, out_short_side=256),
    dict(type='RandomResizedCrop', size=224, scale=(0.5, 1.0)),
    # No flip: questions may say left or right.
    dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=32),
    qa_pack,
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
    qa_pack,
]

qa_dataset = dict(
    type='MSRVTTQADataset',
    data_root=data_root,
    # The answer classes always come from the training split.
    train_ann_file='annotations/train_qa.json',
    top_k=num_answers,
    video_dir='videos')

train_dataloader = dict(
    batch_size=4,  # per GPU: batch 32 is 4 x 8 GPUs
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        **qa_dataset,
        ann_file='annotations/train_qa.json',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        **qa_dataset,
        ann_file='annotations/val_qa.json',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        **qa_dataset,
        ann_file='annotations/test_qa.json',
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='VideoQAAccuracy')
test_evaluator = val_evaluator
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
