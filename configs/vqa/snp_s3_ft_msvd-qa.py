# SNP-S3 fine-tuned for open-ended VideoQA on MSVD-QA (the paper's MSVD-QA
# column): a classifier over the 1,000 most frequent training answers, the
# recipe of snp_s3_ft_msrvtt-qa.py (16 frames, batch 32, lr 5e-5, 10
# epochs; ours, the paper gives none).
#   bash tools/dist_train.sh configs/vqa/snp_s3_ft_msvd-qa.py 8 \
#       --cfg-options \
#       model.init_from.checkpoint=work_dirs/snp_s3_webvid/epoch_10.pth
#   bash tools/dist_test.sh configs/vqa/snp_s3_ft_msvd-qa.py \
#       work_dirs/snp_s3_ft_msvd-qa/epoch_10.pth 8
_base_ = [
    '../_base_/models/snp-qa_bert-base_r50_ft.py',
    '../_base_/datasets/msvd_qa.py',
    '../_base_/schedules/finetune_qa.py',
    '../_base_/default_runtime.py',
]

model = dict(qa_head=dict(num_classes={{_base_.num_answers}}))

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        by_epoch=True,
        interval=1,
        max_keep_ckpts=2,
        save_best='qa/acc',
        rule='greater'))
log_processor = dict(by_epoch=True)
