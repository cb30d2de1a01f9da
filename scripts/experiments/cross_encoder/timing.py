"""ms per (question, sentence) pair, 2 threads: torch fp32 and ONNX (fp32/int8). usage: timing.py CKPT.pt PREFIX"""
import sys, time, pickle, numpy as np, torch
from xmodel import CrossEncoder, tokenizer, batch
import onnxruntime as ort
torch.set_num_threads(2)
D = pickle.load(open("/tmp/xenc/data.pkl", "rb"))
E, paras = D["evalset"], D["odd_paras"]
pairs = [(e["q"], paras[(e["ai"], e["pi"])][e["j"]]) for e in E][:200]
groups10 = [[(e["q"], s) for s in (paras[(e["ai"], e["pi"])] * 10)[:10]] for e in E[:60]]  # one question x 10 sentences of its paragraph
tok = tokenizer()
ntok = np.mean([len(tok.encode(*p).ids) for p in pairs]); print(f"mean pair length {ntok:.1f} word pieces")
model = CrossEncoder(); model.load_state_dict(torch.load(sys.argv[1])); model.eval()
def bench(fn, xs, warm=5):
    for x in xs[:warm]: fn(x)
    ts = []
    for x in xs:
        t = time.perf_counter(); fn(x); ts.append(time.perf_counter() - t)
    return 1000 * np.median(ts), 1000 * np.mean(ts)
with torch.no_grad():
    tb1 = bench(lambda p: model(*batch(tok, [p])), pairs)
    tb10 = bench(lambda g: model(*batch(tok, g)), groups10)
print(f"torch fp32: batch 1 median {tb1[0]:.1f} ms (mean {tb1[1]:.1f}); batch of 10 median {tb10[0]:.1f} ms (mean {tb10[1]:.1f}) = {tb10[0]/10:.1f} ms/pair")
for f in (sys.argv[2] + "_fp32.onnx", sys.argv[2] + "_int8.onnx"):
    o = ort.SessionOptions(); o.intra_op_num_threads = 2; o.inter_op_num_threads = 1
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    s = ort.InferenceSession(f, o, providers=["CPUExecutionProvider"])
    def run(ps):
        ids, m, tt = batch(tok, ps); return s.run(None, {"input_ids": ids.numpy(), "attention_mask": m.numpy(), "token_type_ids": tt.numpy()})
    a = bench(lambda p: run([p]), pairs); b = bench(run, groups10)
    print(f"{f}: batch 1 median {a[0]:.1f} ms (mean {a[1]:.1f}); batch of 10 median {b[0]:.1f} ms (mean {b[1]:.1f}) = {b[0]/10:.1f} ms/pair")
