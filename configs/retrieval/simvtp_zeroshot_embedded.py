# Zero-shot text-video retrieval of SimVTP on the embedded corpus's held-out
# test split, the same split and protocol as snp_s3_zeroshot_embedded.py:
# dual-encoder scores, the unified encoder run on each caption alone and on
# each clip alone (mean pooled).
#   python tools/test.py configs/retrieval/simvtp_zeroshot_embedded.py \
#       work_dirs/simvtp_vit-tiny_embedded/iter_250.pth
_base_ = ['../pretrain/simvtp_vit-tiny_embedded.py']
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_dataloader = None
val_evaluator = None
val_cfg = None
