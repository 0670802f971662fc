# MSVD-QA open-ended VideoQA: classification over the 1,000 most frequent
# training answers (the paper's setting); the pipelines and loaders of
# msrvtt_qa.py on the MSVD clips (named through youtube_mapping.txt).
# Official files and layout: tools/data/msvd_qa/README.md.
_base_ = ['./msrvtt_qa.py']

data_root = 'data/msvd_qa'
num_answers = 1000

qa_dataset = dict(
    type='MSVDQADataset',
    data_root=data_root,
    train_ann_file='annotations/train_qa.json',
    mapping_file='annotations/youtube_mapping.txt',
    top_k=num_answers,
    video_dir='videos')
train_dataloader = dict(
    dataset=dict(**qa_dataset, ann_file='annotations/train_qa.json'))
val_dataloader = dict(
    dataset=dict(**qa_dataset, ann_file='annotations/val_qa.json'))
test_dataloader = dict(
    dataset=dict(**qa_dataset, ann_file='annotations/test_qa.json'))
