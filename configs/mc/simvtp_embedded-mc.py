# Multiple-choice QA on the embedded corpus with SimVTP (the questions of
# snp_s3_embedded-mc.py: each held-out test video's caption among four
# distractors), evaluated with no training. As SNP-S3's MC comes from its
# retrieval fine-tuned model, this one comes from SimVTP's
# (configs/retrieval/simvtp_ft_embedded.py, whose model this mirrors): a
# dual encoder with no VTM head, so the options are scored by dual-encoder
# similarity, the option's mean-pooled text-tower states against the clip's
# mean-pooled states.
#   python tools/test.py configs/mc/simvtp_embedded-mc.py \
#       work_dirs/simvtp_ft_embedded/iter_60.pth
# Fusion scores instead (the model's default, the paper's kind of protocol):
# the pre-trained checkpoint has a VTM head, which scores each
# [clip tubes ; option] joint pass (matched minus unmatched logit):
#   python tools/test.py configs/mc/simvtp_embedded-mc.py \
#       work_dirs/simvtp_vit-tiny_embedded/iter_250.pth --cfg-options \
#       model.scoring.mode=fusion model.scoring.head=vtm \
#       model.heads.vtm._delete_=True model.heads.vtm.type=VTMHead \
#       model.heads.vtm.hidden_size=None model.text_tower=False
_base_ = [
    '../_base_/models/simvtp_vit-tiny.py',
    '../_base_/datasets/embedded_mc.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='SimVTPMultipleChoiceModel',
    heads=dict(mvm=None, mlm=None, vtm=None),
    text_tower=True,
    scoring=dict(mode='dual'))
