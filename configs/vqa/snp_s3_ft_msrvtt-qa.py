# SNP-S3 fine-tuned for open-ended VideoQA on MSRVTT-QA (the paper's
# MSRVTT-QA column): a classifier over the 1,500 most frequent training
# answers on the fusion [CLS] of [question ; video], cross-entropy; 16
# frames, batch 32 (4 x 8 GPUs), AdamW lr 5e-5, 10 epochs (our recipe; see
# schedules/finetune_qa.py). Accuracy over all test questions (an answer
# outside the 1,500 counts as wrong), overall and per question type.
#   bash tools/dist_train.sh configs/vqa/snp_s3_ft_msrvtt-qa.py 8 \
#       --cfg-options \
#       model.init_from.checkpoint=work_dirs/snp_s3_webvid/epoch_10.pth
#   bash tools/dist_test.sh configs/vqa/snp_s3_ft_msrvtt-qa.py \
#       work_dirs/snp_s3_ft_msrvtt-qa/epoch_10.pth 8
_base_ = [
    '../_base_/models/snp-qa_bert-base_r50_ft.py',
    '../_base_/datasets/msrvtt_qa.py',
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
