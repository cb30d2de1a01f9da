"""Which epoch: each checkpoint's int8 ONNX scores the answers of /tmp/floor-rows.json (choose_floor.py rows of
the shipped reader, floors off; answer text cut at 400 characters), the floor is chosen on the articles
numbered 1 mod 4 by the 1 %-of-right-answers rule, and the figures are read on those numbered 3 mod 4.
usage: epochs.py MODEL_int8.onnx ..."""
import json, re, sys, numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
tok = Tokenizer.from_file("/work/main/rag/data/minilm-tokenizer.json"); tok.no_padding(); tok.enable_truncation(max_length=128)
rows = json.load(open("/tmp/floor-rows.json"))["rows"]
odd = [r for r in rows if int(r["source"][:2]) % 2 == 1]
C = [r for r in odd if int(r["source"][:2]) % 4 == 1]; E = [r for r in odd if int(r["source"][:2]) % 4 == 3]
def scorer(path):
    o = ort.SessionOptions(); o.intra_op_num_threads = 2; o.inter_op_num_threads = 1
    s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
    def run(pairs):
        encs = tok.encode_batch(pairs); w = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), w), np.int64); m = np.zeros_like(ids); tt = np.zeros_like(ids)
        for r, e in enumerate(encs):
            n = len(e.ids); ids[r, :n] = e.ids; m[r, :n] = 1; tt[r, :n] = e.type_ids
        return 1 / (1 + np.exp(-s.run(None, {"input_ids": ids, "attention_mask": m, "token_type_ids": tt})[0].reshape(-1)))
    return run
def figs(rs, x, f):
    ans = [r for r in rs if r["answerable"]]; una = [r for r in rs if not r["answerable"]]
    kept = lambda r: not r["abstained"] and (r["confidence"] is None or r["confidence"] >= 0.5) and x.get(r["id"], 1) >= f
    return (sum(kept(r) and r["contains"] for r in ans)/len(ans), sum(not kept(r) for r in ans)/len(ans), sum(not kept(r) for r in una)/len(una))
FL = [0.005 * i for i in range(0, 41)]
for name in sys.argv[1:]:
    run = scorer(name); x = {}
    for r in odd:
        if r["abstained"]: continue
        parts = [p.strip() for p in re.split(r"\s*\[\d+\]\s*", r["answer"]) if p.strip()][:3]
        x[r["id"]] = float(run([(r["question"], p) for p in parts]).max())
    base = figs(C, x, 0)[0]
    f = max(f for f in FL if figs(C, x, f)[0] >= base * 0.99)
    c, e = figs(C, x, f), figs(E, x, f)
    print(f"{name}: floor {f:.3f} | C right {c[0]:.3f} FA {c[1]:.3f} UA {c[2]:.3f} | E right {e[0]:.3f} FA {e[1]:.3f} UA {e[2]:.3f} | E base {figs(E, x, 0)}", flush=True)
