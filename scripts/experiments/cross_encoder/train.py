"""Fine-tune the cross-encoder on even-article pairs. usage: train.py MAX_PAIRS EPOCHS OUT.pt [time_budget_s]"""
import sys, time, random, pickle, numpy as np, torch
from xmodel import CrossEncoder, tokenizer, batch
torch.set_num_threads(2); import os
SEED = int(os.environ.get('SEED', 0)); torch.manual_seed(SEED); random.seed(SEED)
max_pairs, epochs, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
budget = float(sys.argv[4]) if len(sys.argv) > 4 else 1e9
D = pickle.load(open("/tmp/xenc/data.pkl", "rb"))
train = [t for t in D["train"] if t["ai"] % 2 == 0]
assert len(train) == len(D["train"])
random.shuffle(train)
if max_pairs < len(train):  # keep every positive and every top-1 unanswerable negative; fill with the rest
    quota = {"pos": 10**9, "unans_top1": 10**9, "ans_other": int(0.6 * (max_pairs - 2827)), "unans_top2": 10**9}
    quota["unans_top2"] = max_pairs - 2827 - quota["ans_other"]
    got = {k: 0 for k in quota}; sel = []
    for t in train:
        if got[t["kind"]] < quota[t["kind"]]: sel.append(t); got[t["kind"]] += 1
    train = sel
print("pairs", len(train), "pos", sum(t["y"] for t in train), {k: sum(t["kind"] == k for t in train) for k in ("pos", "ans_other", "unans_top1", "unans_top2")}, flush=True)
tok = tokenizer(); model = CrossEncoder()
if os.environ.get('INIT'): model.load_state_dict(torch.load(os.environ['INIT'])); print('init from', os.environ['INIT'], flush=True)
model.bert.embeddings.word_embeddings.weight.requires_grad_(False)  # frozen: saves the 11.7M-row Adam update
BS, LR = 16, float(os.environ.get('LR', 5e-5))
steps = epochs * ((len(train) + BS - 1) // BS)
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR, weight_decay=0.01)
warm = int(0.1 * steps)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
lossf = torch.nn.BCEWithLogitsLoss()
T0 = time.time(); step = 0; run_loss = 0
for ep in range(epochs):
    random.shuffle(train)
    # bucket by length within chunks of 50 batches to cut padding
    chunks = [train[i:i + BS * 50] for i in range(0, len(train), BS * 50)]
    batches = []
    for c in chunks:
        c = sorted(c, key=lambda t: len(t["q"]) + len(t["s"]))
        batches += [c[i:i + BS] for i in range(0, len(c), BS)]
    random.shuffle(batches)
    model.train()
    for b in batches:
        logits = model(*batch(tok, [(t["q"], t["s"]) for t in b]))
        loss = lossf(logits, torch.tensor([float(t["y"]) for t in b]))
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); sched.step()
        step += 1; run_loss += loss.item()
        if step % 50 == 0:
            el = time.time() - T0
            print(f"ep {ep} step {step}/{steps} loss {run_loss/50:.4f} {el:.0f}s ({el/step:.2f}s/step, eta {el/step*(steps-step):.0f}s)", flush=True); run_loss = 0
        if time.time() - T0 > budget:
            print("time budget hit at step", step, "of", steps, flush=True); break
    else:
        torch.save(model.state_dict(), out.replace(".pt", f"_ep{ep+1}.pt")); continue
    break
torch.save(model.state_dict(), out)
print("trained steps", step, "pairs seen", step * BS, "time", round(time.time() - T0), "s", flush=True)
