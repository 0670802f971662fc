# SNP-S3 fine-tuned for text-video retrieval on MSR-VTT 7k (the 7,010-video
# training list), tested on 1k-A: the paper's MSRVTT-7k column. Everything
# else as snp_s3_ft_msrvtt-9k.py (2 epochs of every caption: 140k pairs,
# ~4.4k iterations per epoch at batch 32).
#   bash tools/dist_train.sh configs/retrieval/snp_s3_ft_msrvtt-7k.py 8 \
#       --cfg-options model.init_from.checkpoint=$PRETRAINED
# (PRETRAINED: a pre-training checkpoint, e.g.
# work_dirs/snp_s3_webvid/epoch_10.pth.)
_base_ = ['./snp_s3_ft_msrvtt-9k.py']

train_dataloader = dict(
    dataset=dict(split_file='annotations/MSRVTT_train.7k.csv'))
