# The retrieval fine-tuning model: SNP at the paper's scale (BERT-base shared
# between text and fusion modes, ResNet-50 frames) with GVTM's two heads,
# VTC and cross matching over all b x b pairs (method §4), initialised from
# a pre-trained checkpoint. The pre-training's MLM/MSSM and LVWM heads are
# left out: their checkpoint keys are reported as unexpected, and the
# cross-matching head starts fresh when the checkpoint has none.
_base_ = ['./snp-gvtm_bert-base_r50.py']

model = dict(
    heads=dict(mlm=None),
    init_from=dict(
        # None loads nothing (with a warning). Set it on the command line,
        # --cfg-options model.init_from.checkpoint=PATH, e.g.
        # work_dirs/snp_s3_webvid/epoch_10.pth.
        checkpoint=None,
        # Our own checkpoints need no renames; add (pattern, replacement)
        # rules for other sources, e.g. [(r'^bert\.', 'encoder.bert.')].
        key_map=[],
        ignore=[],
        # A checkpoint that leaves any of these at their initialisation is
        # the wrong one: stop instead of fine-tuning from scratch.
        require=[r'^backbone\.', r'^encoder\.', r'^heads\.vtc\.']))
