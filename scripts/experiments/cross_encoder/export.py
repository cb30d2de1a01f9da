"""Export the cross-encoder to ONNX (fp32) and dynamically quantize to int8. usage: export.py CKPT.pt OUTPREFIX"""
import sys, torch, numpy as np
from xmodel import CrossEncoder, tokenizer, batch
from onnxruntime.quantization import quantize_dynamic, QuantType
ck, pre = sys.argv[1], sys.argv[2]
model = CrossEncoder(); model.load_state_dict(torch.load(ck)); model.eval()
tok = tokenizer()
ex = batch(tok, [("What is the capital of France?", "Paris is the capital of France."), ("Who?", "Nobody knows who wrote it at all.")])
torch.onnx.export(model, ex, pre + "_fp32.onnx", input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logit"],
                  dynamic_axes={n: {0: "b", 1: "t"} for n in ["input_ids", "attention_mask", "token_type_ids"]} | {"logit": {0: "b"}},
                  opset_version=17, dynamo=False)
quantize_dynamic(pre + "_fp32.onnx", pre + "_int8.onnx", weight_type=QuantType.QInt8)
import onnxruntime as ort
for f in (pre + "_fp32.onnx", pre + "_int8.onnx"):
    s = ort.InferenceSession(f, providers=["CPUExecutionProvider"])
    o = s.run(None, {k: v.numpy() for k, v in zip(["input_ids", "attention_mask", "token_type_ids"], ex)})[0]
    with torch.no_grad(): t = model(*ex).numpy()
    print(f, "logits", o.reshape(-1), "torch", t)
