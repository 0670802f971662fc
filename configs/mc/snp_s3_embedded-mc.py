# Multiple-choice QA on the embedded corpus (one question per held-out test
# video: its caption among four distractors that each change one
# significant word), evaluated with no training from the retrieval
# fine-tuned model (configs/retrieval/snp_s3_ft_embedded.py, whose heads
# this model mirrors): each [option ; video] pair goes through the fusion
# encoder and the cross-matching head scores it, the paper's protocol.
#   python tools/test.py configs/mc/snp_s3_embedded-mc.py \
#       work_dirs/snp_s3_ft_embedded/iter_60.pth
# Dual-encoder scores instead (the option's text feature against the
# video's frames), e.g. for the main job's pre-trained model, which has no
# cross-matching head:
#   python tools/test.py configs/mc/snp_s3_embedded-mc.py \
#       work_dirs/snp_mssm-vtc-lvwm_embedded/iter_250.pth \
#       --cfg-options model.scoring.mode=dual
_base_ = [
    '../_base_/models/snp_minilm_effnet-lite0.py',
    '../_base_/datasets/embedded_mc.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='MultipleChoiceModel',
    heads=dict(
        mlm=None,
        xm=dict(
            type='CrossMatchingHead',
            hidden_size=None,
            negatives='hard',
            num_hard=1)),
    scoring=dict(mode='fusion', head='xm'))
