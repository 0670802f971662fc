# Multiple-choice QA on MSRVTT-MC (the paper's MSRVTT-MC column), evaluated
# from the MSR-VTT retrieval fine-tuned model with no training on it: each
# [option ; video] pair goes through the fusion encoder and the
# cross-matching head scores it; the best of the 5 options is the answer.
# Accuracy; a tie at the top counts as wrong.
#   bash tools/dist_test.sh configs/mc/snp_s3_msrvtt-mc.py \
#       work_dirs/snp_s3_ft_msrvtt-9k/epoch_2.pth 8
# Dual-encoder scores instead (models without a cross-matching head):
#   --cfg-options model.scoring.mode=dual
_base_ = [
    '../_base_/models/snp-gvtm_bert-base_r50_ft.py',
    '../_base_/datasets/msrvtt_mc.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='MultipleChoiceModel',
    # tools/test.py loads the checkpoint itself.
    init_from=None,
    scoring=dict(mode='fusion', head='xm'))
