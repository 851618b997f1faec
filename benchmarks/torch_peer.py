#!/usr/bin/env python3
"""The peer to beat: the model `tandem bench --shape NAME` measures, written eagerly in PyTorch the way a user
would (nanoGPT style: AdamW, random tokens, a KV cache concatenated step by step, last-position logits when
generating). Shapes: `tiny` (tandem bench's GPT: vocab 261, 4 layers, 4 heads, d 128, context 64),
`smollm2-135m` and `qwen3-0.6b` (Llama-family block: RMSNorm, RoPE rotate-half, grouped-query attention,
SwiGLU, tied embeddings; qwen3 adds per-head q/k RMSNorm and head_dim 128). Random weights; never used by tests.

Setup (Debian): apt-get install -y python3-torch libopenblas0-pthread
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 benchmarks/torch_peer.py --shape tiny --threads 1
(OpenBLAS's core-type override slows it; Debian's torch otherwise falls back to reference BLAS, 4.5 GFLOP/s.)

Without --serve it prints one JSON line with every figure. With --serve it reads one command a line on stdin
(`train`, `forward`, `prefill`, `decode B`, `ctx256`, `rss`, `quit`) and answers each with one JSON line: how
`tandem bench --peer` interleaves its own measurements with these."""
import argparse, json, math, resource, sys, time
import torch, torch.nn as nn, torch.nn.functional as F

SHAPES = {
    "tiny": dict(kind="gpt", vocab=261, layers=4, heads=4, hidden=128, ctx=64),
    "smollm2-135m": dict(kind="llama", vocab=49152, layers=30, hidden=576, heads=9, kv=3, head_dim=64, inter=1536,
                         tied=True, theta=1e5, eps=1e-5, qk_norm=False, ctx=8192),
    "qwen3-0.6b": dict(kind="llama", vocab=151936, layers=28, hidden=1024, heads=16, kv=8, head_dim=128, inter=3072,
                       tied=True, theta=1e6, eps=1e-6, qk_norm=True, ctx=40960),
}


class GptBlock(nn.Module):
    def __init__(s, c):
        super().__init__(); D = c["hidden"]; s.H = c["heads"]
        s.ln1 = nn.LayerNorm(D); s.attn = nn.Linear(D, 3 * D); s.proj = nn.Linear(D, D)
        s.ln2 = nn.LayerNorm(D); s.fc = nn.Linear(D, 4 * D); s.out = nn.Linear(4 * D, D)

    def forward(s, x, cos, sin, cache):
        B, T, D = x.shape
        q, k, v = (t.view(B, T, s.H, D // s.H).transpose(1, 2) for t in s.attn(s.ln1(x)).split(D, dim=2))
        a, cache = attend(q, k, v, cache, 1)
        x = x + s.proj(a.transpose(1, 2).reshape(B, T, D))
        return x + s.out(F.gelu(s.fc(s.ln2(x)), approximate="tanh")), cache


class RMSNorm(nn.Module):
    def __init__(s, n, eps):
        super().__init__(); s.weight = nn.Parameter(torch.ones(n)); s.eps = eps

    def forward(s, x):
        return s.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + s.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def attend(q, k, v, cache, rep):
    """Causal attention of q [B,H,T,hd] over the cache plus k, v [B,KV,T,hd]; returns [B,H,T,hd] and the new cache."""
    if cache is not None:
        k, v = torch.cat((cache[0], k), 2), torch.cat((cache[1], v), 2)
    cache = (k, v)
    if rep > 1:
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
    T, S = q.shape[2], k.shape[2]
    a = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if T > 1:
        a = a.masked_fill(torch.ones(T, S, dtype=torch.bool).triu(S - T + 1), float("-inf"))
    return a.softmax(-1) @ v, cache


class LlamaBlock(nn.Module):
    def __init__(s, c):
        super().__init__(); D, hd = c["hidden"], c["head_dim"]; s.H, s.KV, s.hd = c["heads"], c["kv"], hd
        s.input_layernorm = RMSNorm(D, c["eps"]); s.post_attention_layernorm = RMSNorm(D, c["eps"])
        s.q_proj = nn.Linear(D, s.H * hd, bias=False); s.k_proj = nn.Linear(D, s.KV * hd, bias=False)
        s.v_proj = nn.Linear(D, s.KV * hd, bias=False); s.o_proj = nn.Linear(s.H * hd, D, bias=False)
        s.q_norm = RMSNorm(hd, c["eps"]) if c["qk_norm"] else nn.Identity()
        s.k_norm = RMSNorm(hd, c["eps"]) if c["qk_norm"] else nn.Identity()
        s.gate_proj = nn.Linear(D, c["inter"], bias=False); s.up_proj = nn.Linear(D, c["inter"], bias=False)
        s.down_proj = nn.Linear(c["inter"], D, bias=False)

    def forward(s, x, cos, sin, cache):
        B, T, _ = x.shape
        h = s.input_layernorm(x)
        q = s.q_norm(s.q_proj(h).view(B, T, s.H, s.hd)).transpose(1, 2)
        k = s.k_norm(s.k_proj(h).view(B, T, s.KV, s.hd)).transpose(1, 2)
        v = s.v_proj(h).view(B, T, s.KV, s.hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        a, cache = attend(q, k, v, cache, s.H // s.KV)
        x = x + s.o_proj(a.transpose(1, 2).reshape(B, T, s.H * s.hd))
        h = s.post_attention_layernorm(x)
        return x + s.down_proj(F.silu(s.gate_proj(h)) * s.up_proj(h)), cache


class Model(nn.Module):
    def __init__(s, c):
        super().__init__(); s.c = c; D = c["hidden"]
        s.embed = nn.Embedding(c["vocab"], D)
        if c["kind"] == "gpt":
            s.wpe = nn.Embedding(c["ctx"], D); s.blocks = nn.ModuleList(GptBlock(c) for _ in range(c["layers"]))
            s.norm = nn.LayerNorm(D); s.lm_head = None
        else:
            s.blocks = nn.ModuleList(LlamaBlock(c) for _ in range(c["layers"])); s.norm = RMSNorm(D, c["eps"])
            s.lm_head = None if c["tied"] else nn.Linear(D, c["vocab"], bias=False)
            hd = c["head_dim"]
            s.register_buffer("inv_freq", c["theta"] ** (-torch.arange(0, hd, 2).float() / hd), persistent=False)

    def forward(s, idx, caches=None, last_only=False):
        """Logits [B,T,V] (or [B,1,V]) and the per-layer KV caches."""
        B, T = idx.shape
        p0 = 0 if caches is None else caches[0][0].shape[2]
        pos = torch.arange(p0, p0 + T)
        x = s.embed(idx); cos = sin = None
        if s.c["kind"] == "gpt":
            x = x + s.wpe(pos)
        else:
            f = torch.outer(pos.float(), s.inv_freq); e = torch.cat((f, f), -1)
            cos, sin = e.cos(), e.sin()
        out = []
        for i, b in enumerate(s.blocks):
            x, kv = b(x, cos, sin, None if caches is None else caches[i]); out.append(kv)
        x = s.norm(x[:, -1:] if last_only else x)
        return (x @ s.embed.weight.T if s.lm_head is None else s.lm_head(x)), out


def status(field):
    """A field of /proc/self/status in bytes (VmRSS: now, VmHWM: the peak since start or the last reset_peak), or -1."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field): return int(line.split()[1]) * 1024
    except OSError: pass
    return -1


def reset_peak():
    """Resets VmHWM to the resident size now (Linux 4.0+), so that the training peak is the training's alone."""
    try:
        with open("/proc/self/clear_refs", "w") as f: f.write("5")
        return True
    except OSError: return False


class Peer:
    def __init__(s, a):
        s.c = dict(SHAPES[a.shape]); s.a = a
        if a.layers: s.c["layers"] = a.layers
        torch.manual_seed(0)
        s.m = Model(s.c); s.opt = torch.optim.AdamW(s.m.parameters(), lr=1e-4); s.warm = False; s.reset = False
        V = s.c["vocab"]
        s.x = torch.randint(0, min(V, 256), (a.batch, a.seq)); s.y = torch.randint(0, min(V, 256), (a.batch, a.seq))

    def step(s):
        logits, _ = s.m(s.x)
        loss = F.cross_entropy(logits.view(-1, s.c["vocab"]), s.y.view(-1))
        # nanoGPT's order: the gradients go as soon as the update has used them, not kept through the next forward
        loss.backward(); s.opt.step(); s.opt.zero_grad(set_to_none=True)

    def train(s):
        if not s.warm:
            s.before = status("VmRSS:"); s.peak_before = status("VmHWM:"); s.reset = reset_peak()
            for _ in range(2): s.step()
            s.warm = True
        n = max(1, s.a.steps // 3); t = time.perf_counter()
        for _ in range(n): s.step()
        if s.reset: s.train_peak = status("VmHWM:")
        return {"train_tokens_per_second": n * s.a.batch * s.a.seq / (time.perf_counter() - t)}

    @torch.no_grad()
    def forward(s):
        n = max(1, s.a.steps // 3); s.m(s.x); t = time.perf_counter()
        for _ in range(n): F.cross_entropy(s.m(s.x)[0].view(-1, s.c["vocab"]), s.y.view(-1)).item()
        return {"forward_tokens_per_second": n * s.a.batch * s.a.seq / (time.perf_counter() - t)}

    @torch.no_grad()
    def generate(s, b, prompt, new, cached):
        """Seconds to generate `new` greedy tokens after a random prompt; with the cache also the prefill's seconds."""
        idx = torch.randint(0, 256, (b, prompt)); t = time.perf_counter()
        if not cached:
            for _ in range(new):
                logits, _ = s.m(idx, last_only=True); idx = torch.cat((idx, logits[:, -1].argmax(-1, keepdim=True)), 1)
            return time.perf_counter() - t, 0.0
        logits, caches = s.m(idx, last_only=True); pre = time.perf_counter() - t
        for _ in range(new - 1):
            logits, caches = s.m(logits[:, -1].argmax(-1, keepdim=True), caches, last_only=True)
        return time.perf_counter() - t, pre

    def prefill(s):
        n = min(s.a.seq, s.c["ctx"] - 1); _, pre = s.generate(s.a.batch, n, 1, True)
        return {"prefill_tokens_per_second": s.a.batch * n / pre}

    def decode(s, b):
        new = max(2, min(s.a.new_tokens, s.c["ctx"] - 16)); total, pre = s.generate(b, 16, new, True)
        return {f"decode_tokens_per_second_b{b}": b * (new - 1) / (total - pre)}

    def ctx256(s):
        ctx = min(256, s.c["ctx"]); new = 16; prompt = ctx - new
        total, pre = s.generate(1, prompt, new, True)
        naive, _ = s.generate(1, prompt, new, False)
        return {"cached_over_naive_per_token": (naive / new) / ((total - pre) / (new - 1)), "context": ctx}

    def rss(s):
        train = {"train_peak_rss_bytes": s.train_peak, "rss_before_training_bytes": s.before} if s.reset else {}
        return {**train, "peak_rss_bytes": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, status("VmHWM:"), getattr(s, "peak_before", -1)),
                "parameters": sum(p.numel() for p in s.m.parameters()), "torch": torch.__version__,
                "threads": torch.get_num_threads(), "layers": s.c["layers"]}

    def answer(s, line):
        cmd = line.split()
        if cmd[0] == "decode": return s.decode(int(cmd[1]))
        return getattr(s, cmd[0])()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", default="tiny", choices=sorted(SHAPES)); p.add_argument("--layers", type=int, default=0)
    p.add_argument("--threads", type=int, default=1); p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seq", type=int, default=64); p.add_argument("--steps", type=int, default=6)
    p.add_argument("--new-tokens", type=int, default=32); p.add_argument("--serve", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    peer = Peer(a)
    if a.serve:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if not line.strip() or line.strip() == "quit": break
            print(json.dumps(peer.answer(line)), flush=True)
        return
    r = {}
    for cmd in ("train", "train", "train", "forward", "prefill", "decode 1", "decode 16", "ctx256", "rss"):
        for k, v in peer.answer(cmd).items(): r[k] = max(r.get(k, 0), v) if isinstance(v, float) else v
    print(json.dumps(r))


if __name__ == "__main__":
    main()
