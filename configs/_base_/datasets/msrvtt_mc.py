# MSRVTT-MC multiple-choice test (JSFusion's 2,990 questions, 5 captions
# each), evaluation only: every [option ; video] pair is scored and the best
# option picked. 16 frames and 224 px, as the retrieval fine-tuning tests.
# Official files and layout: tools/data/msrvtt_mc/README.md.
data_root = 'data/msrvtt_mc'
tokenizer = 'data/pretrained/bert-base-uncased'
num_frames = 16

test_pipeline = [
    dict(
        type='DecodeVideo',
        num_frames=num_frames,
        test_mode=True,
        out_short_side=224),
    dict(type='Resize', short_side=224),
    dict(type='CenterCrop', size=224),
    dict(type='TokenizeOptions', tokenizer=tokenizer, max_length=32),
    dict(
        type='PackVideoTextInputs',
        input_keys=('option_ids', 'option_mask'),
        meta_keys=('video_id', 'answer', 'text_id', 'video_index')),
]
test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='MSRVTTMCDataset',
        data_root=data_root,
        ann_file='annotations/msrvtt_mc_test.jsonl',
        video_dir='videos',
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='MultipleChoiceAccuracy')
test_cfg = dict(type='TestLoop')

# Evaluation only.
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_dataloader = None
val_evaluator = None
val_cfg = None
