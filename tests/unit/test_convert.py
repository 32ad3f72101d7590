import numpy as np

from cx_nlp.encoder.convert import _Q4_BLOCK, _hf_name, dequantize_q4_0


def test_q4_0_dequantises_low_nibbles_first_then_high():
    rows, cols = 2, 64
    want = np.zeros((rows, cols), dtype=np.float32)
    blocks = np.zeros((rows, cols // 32), dtype=_Q4_BLOCK)
    rng = np.random.default_rng(0)
    for r in range(rows):
        for b in range(cols // 32):
            d = np.float16(rng.uniform(0.01, 0.2))
            nib = rng.integers(0, 16, size=32)
            blocks[r, b]["d"] = d
            blocks[r, b]["q"] = (nib[:16] | (nib[16:] << 4)).astype(np.uint8)
            want[r, b * 32:(b + 1) * 32] = (nib - 8) * np.float32(d)
    got = dequantize_q4_0(blocks.tobytes(), (rows, cols))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_name_map_matches_hf_bert():
    assert _hf_name("emb.word") == "embeddings.word_embeddings.weight"
    assert _hf_name("l11.fo.w") == "encoder.layer.11.output.dense.weight"
    assert _hf_name("l0.aln.b") == "encoder.layer.0.attention.output.LayerNorm.bias"
    assert _hf_name("l3.q.w") == "encoder.layer.3.attention.self.query.weight"
