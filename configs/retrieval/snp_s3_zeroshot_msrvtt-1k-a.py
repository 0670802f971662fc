# Zero-shot text-video retrieval on MSR-VTT 1k-A with a pre-trained SNP model
# (dual-encoder scores, 4 frames per video):
#   python tools/test.py configs/retrieval/snp_s3_zeroshot_msrvtt-1k-a.py \
#       work_dirs/snp_s3_webvid/epoch_10.pth
_base_ = [
    '../_base_/models/snp_bert-base_r50.py',
    '../_base_/datasets/webvid_pretrain.py',
    '../_base_/default_runtime.py',
]
# Evaluation only.
train_dataloader = None
val_dataloader = None
val_evaluator = None
val_cfg = None
