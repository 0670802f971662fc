# The VideoQA fine-tuning model: the backbone and encoder of SNP at the
# paper's scale (BERT-base shared between text and fusion modes, ResNet-50
# frames) with an answer classifier on the fusion [CLS] of
# [question ; video], initialised from a pre-trained checkpoint. The
# pre-training heads are not part of it; the classifier starts fresh.
_base_ = ['./snp_bert-base_r50.py']

model = dict(
    _delete_=True,
    type='VideoQAModel',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    encoder={{_base_.model.encoder}},
    # num_classes: the dataset's top_k; each experiment sets it.
    qa_head=dict(type='QAHead', hidden_size=None, num_classes=1500),
    init_from=dict(
        # None loads nothing (with a warning). Set it on the command line:
        # --cfg-options \
        #   model.init_from.checkpoint=work_dirs/snp_s3_webvid/epoch_10.pth
        checkpoint=None,
        key_map=[],
        # The pre-training heads and momentum copies have no place here
        # (a VideoQA checkpoint's own heads.qa still loads).
        ignore=[r'^heads\.(?!qa\.)', r'^momentum_model\.'],
        # A checkpoint that leaves any of these at their initialisation is
        # the wrong one: stop instead of fine-tuning from scratch.
        require=[r'^backbone\.', r'^encoder\.']))
