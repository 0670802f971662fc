# SNP-S3 on WebVid-2M (snp_s3_webvid.py) with FSDP: parameters, gradients
# and optimizer state sharded across the GPUs, through MMEngine's
# FlexibleRunner and FSDPStrategy (tools/train.py builds the runner named by
# `runner_type`):
#   bash tools/dist_train.sh configs/pretrain/snp_s3_webvid_fsdp.py 8
# BERT-base + ResNet-50 fits on one GPU with DDP; FSDP is for larger
# text encoders or backbones (BERT-large, ViT-L) or small GPUs. Each BERT
# layer is its own FSDP unit (gathered one at a time); the embeddings with
# the tied MLM decoder, the heads and the frame backbone stay in the root
# unit, so tied weights never straddle two units.
_base_ = ['./snp_s3_webvid.py']

runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy=dict(type='snps3.engine.fsdp.bert_layer_wrap_policy'),
        # Heads switched off by config leave parameters without gradient;
        # use_orig_params keeps them (and the tied decoder) as they are.
        use_orig_params=True),
    # Full (unsharded) checkpoints on rank 0, loadable without FSDP.
    state_dict_cfg='full')
# bf16 autocast with fp32 master weights, as the DDP recipe; MMEngine adds
# use_fsdp=True (a sharded gradient scaler). Gradient clipping (max_norm 5)
# goes through torch's clip_grad_norm_, which sees each rank's shard: the
# clipped norm is per shard, not global, a looser clip than under DDP.
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16')
