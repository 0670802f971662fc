# CC3M image-text pre-training (images are 1-frame videos), in the generic
# JSON-lines format {"caption", "clip_name", "type": "image"} with images at
# data/cc3m/images/{clip_name}; zero-shot retrieval on MSR-VTT 1k-A as in
# webvid_pretrain.py.
_base_ = ['./webvid_pretrain.py']

significant_words = 'data/cc3m/significant_words.json'
image_and_caption = [
    dict(type='DecodeVideo', num_frames=1, out_short_side=336),
    dict(type='RandomResizedCrop', size=224, scale=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='TokenizeCaption', tokenizer={{_base_.tokenizer}}, max_length=30),
]
mssm_lvwm_pipeline = image_and_caption + [
    dict(
        type='MSSMMasking',
        vocab_file=significant_words,
        tokenizer={{_base_.tokenizer}}),
    dict(
        type='SelectSignificantWords',
        vocab_file=significant_words,
        num_words=3,
        tokenizer={{_base_.tokenizer}}),
    dict(type='PackVideoTextInputs'),
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='VideoTextJsonlDataset',
        data_root='data/cc3m',
        ann_file='cc3m_train.jsonl',
        video_dir='images',
        pipeline=mssm_lvwm_pipeline))
