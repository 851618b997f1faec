#!/usr/bin/python3
"""Golden logits for tiny random checkpoints of four Hugging Face model families.

Run from the repository root:

    /usr/bin/python3 models-llama/src/test/python/make_golden.py

Writes it-tests/src/test/resources/golden-models/<case>/ with exactly what a Hub
checkpoint holds (config.json, model.safetensors or shards + index) plus
golden.safetensors holding `input_ids` (I32 [2, 10]) and `logits` (F32 [2, 10, vocab]).

No `transformers` is needed: the forward passes below are plain-torch transcriptions of
the eager code paths of huggingface/transformers (read from the GitHub sources):

  * src/transformers/models/llama/modeling_llama.py (commit 5dd4a635...):
      LlamaRMSNorm.forward, LlamaRotaryEmbedding.forward, rotate_half, apply_rotary_pos_emb,
      repeat_kv, eager_attention_forward, LlamaAttention (q/k/v/o bias = attention_bias),
      LlamaMLP (gate/up/down bias = mlp_bias), LlamaDecoderLayer.forward, LlamaModel, LlamaForCausalLM
  * src/transformers/modeling_rope_utils.py (commit ef468064...):
      _compute_default_rope_parameters, _compute_llama3_parameters
  * src/transformers/models/qwen2/modeling_qwen2.py (commit 63bb7237...):
      Qwen2Attention (bias=True on q/k/v, bias=False on o_proj), Qwen2MLP (no bias)
  * src/transformers/models/qwen3/modeling_qwen3.py (commit 9ee3f431...):
      Qwen3Attention (q_norm/k_norm = RMSNorm over head_dim, applied after the projection
      reshape and BEFORE rope; explicit head_dim; bias = attention_bias)
  * Mistral (modeling_mistral.py) is Llama without biases plus a sliding window; the window
    (4096) is longer than the sequence, so the mask is the plain causal mask.
  * src/transformers/models/gpt2/modeling_gpt2.py (commit c44b2d99...):
      GPT2Attention._attn / _split_heads / _merge_heads / forward, GPT2MLP, GPT2Block,
      GPT2Model, GPT2LMHeadModel; pytorch_utils.Conv1D (weight [in, out], y = x @ W + b);
      activations.NewGELUActivation ("gelu_new").

All golden logits are computed in float32 from the weights AS STORED, i.e. weights are first
rounded to the checkpoint dtype (F16/BF16) and then upcast to fp32 for the computation.
The script is deterministic: each case uses its own torch.Generator with a fixed seed.
"""
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np
import torch

torch.set_num_threads(1)  # shared machine; also keeps reductions deterministic

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
OUT_ROOT = os.path.join(REPO_ROOT, "it-tests", "src", "test", "resources", "golden-models")

BATCH, SEQ = 2, 10

# ----------------------------------------------------------------------------------------------
# safetensors writer (format: https://github.com/huggingface/safetensors#format)
#   8-byte little-endian u64 header length N, N bytes of JSON header (padded with spaces to a
#   multiple of 8), then the raw little-endian tensor bytes, back to back.
# ----------------------------------------------------------------------------------------------
_ST_DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32"}


def _tensor_bytes(t):
    t = t.contiguous().cpu()
    if t.dtype == torch.bfloat16:
        # torch's fp32->bf16 cast rounds to nearest even; reinterpret the 16 bits as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if t.dtype == torch.float16:
        return t.numpy().astype("<f2").tobytes()
    if t.dtype == torch.float32:
        return t.numpy().astype("<f4").tobytes()
    if t.dtype == torch.int32:
        return t.numpy().astype("<i4").tobytes()
    raise ValueError(t.dtype)


def write_safetensors(path, tensors, metadata=None):
    names = sorted(tensors)
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name in names:
        t = tensors[name]
        b = _tensor_bytes(t)
        header[name] = {"dtype": _ST_DTYPE[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return offset


def write_json(path, obj):
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


# ----------------------------------------------------------------------------------------------
# Llama / Mistral / Qwen2 / Qwen3 (decoder-only, RMSNorm, RoPE, SiLU-gated MLP)
# ----------------------------------------------------------------------------------------------
def rms_norm(x, weight, eps):
    """LlamaRMSNorm.forward / Qwen2RMSNorm.forward / Qwen3RMSNorm.forward."""
    input_dtype = x.dtype
    x = x.to(torch.float32)
    variance = x.pow(2).mean(-1, keepdim=True)
    x = x * torch.rsqrt(variance + eps)
    return weight * x.to(input_dtype)


def rope_inv_freq(cfg, head_dim, verbose=False):
    """modeling_rope_utils._compute_default_rope_parameters (+ _compute_llama3_parameters)."""
    base = cfg["rope_theta"]
    dim = head_dim  # partial_rotary_factor = 1.0 for all families here
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    rs = cfg.get("rope_scaling")
    rope_type = "default" if rs is None else rs.get("rope_type", rs.get("type"))
    if rope_type == "default":
        return inv_freq
    assert rope_type == "llama3", rope_type
    # _compute_llama3_parameters
    factor = rs["factor"]
    low_freq_factor = rs["low_freq_factor"]
    high_freq_factor = rs["high_freq_factor"]
    old_context_len = rs["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    # wavelen < high_freq_wavelen: do nothing; wavelen > low_freq_wavelen: divide by factor
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    # otherwise: interpolate between the two, using a smooth factor
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    inv_freq_llama = torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)
    if verbose:
        bands = []
        for i in range(len(inv_freq)):
            w = wavelen[i].item()
            kind = "unchanged" if w < high_freq_wavelen else ("scaled" if w > low_freq_wavelen else "smoothed")
            bands.append(kind)
            print(f"    llama3 rope: freq {i}: wavelen {w:10.2f}  {kind:9s}  inv_freq {inv_freq[i].item():.6g} -> {inv_freq_llama[i].item():.6g}")
        assert {"unchanged", "smoothed", "scaled"} <= set(bands), "llama3 case must exercise all three bands"
    return inv_freq_llama


def rope_cos_sin(inv_freq, position_ids):
    """LlamaRotaryEmbedding.forward (attention_scaling = 1.0 for default and llama3)."""
    inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    position_ids_expanded = position_ids[:, None, :].float()
    freqs = (inv_freq_expanded @ position_ids_expanded).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)  # cos/sin duplicated over the two halves
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


def repeat_kv(hidden_states, n_rep):
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


def causal_mask(q_len, dtype=torch.float32):
    """4D additive mask as built by create_causal_mask for the eager path: 0 / finfo.min."""
    m = torch.full((q_len, q_len), torch.finfo(dtype).min, dtype=dtype)
    m = torch.triu(m, diagonal=1)
    return m[None, None, :, :]


def eager_attention_forward(query, key, value, attention_mask, scaling, num_key_value_groups):
    key_states = repeat_kv(key, num_key_value_groups)
    value_states = repeat_kv(value, num_key_value_groups)
    attn_weights = torch.matmul(query, key_states.transpose(2, 3)) * scaling
    attn_weights = attn_weights + attention_mask[:, :, :, : key_states.shape[-2]]
    attn_weights = torch.nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query.dtype)
    attn_output = torch.matmul(attn_weights, value_states)
    return attn_output.transpose(1, 2).contiguous()


def naive_attention(q_proj_out, k_proj_out, v_proj_out, inv_freq, n_heads, n_kv, head_dim):
    """Independent check: per-batch/per-head/per-position loops, explicit rope rotation of
    the pairs (d, d + head_dim/2), explicit causal softmax over j <= i, GQA by head // group."""
    bsz, q_len, _ = q_proj_out.shape
    half = head_dim // 2
    group = n_heads // n_kv
    out = torch.zeros(bsz, q_len, n_heads * head_dim, dtype=torch.float64)

    def rot(vec, pos):
        r = torch.empty_like(vec)
        for d in range(half):
            theta = pos * float(inv_freq[d])
            c, s = math.cos(theta), math.sin(theta)
            r[d] = vec[d] * c - vec[d + half] * s
            r[d + half] = vec[d + half] * c + vec[d] * s
        return r

    for b in range(bsz):
        for h in range(n_heads):
            kvh = h // group
            qs = [rot(q_proj_out[b, t, h * head_dim:(h + 1) * head_dim].double(), t) for t in range(q_len)]
            ks = [rot(k_proj_out[b, t, kvh * head_dim:(kvh + 1) * head_dim].double(), t) for t in range(q_len)]
            vs = [v_proj_out[b, t, kvh * head_dim:(kvh + 1) * head_dim].double() for t in range(q_len)]
            for i in range(q_len):
                scores = [float(qs[i] @ ks[j]) / math.sqrt(head_dim) for j in range(i + 1)]
                mx = max(scores)
                e = [math.exp(s - mx) for s in scores]
                z = sum(e)
                acc = torch.zeros(head_dim, dtype=torch.float64)
                for j in range(i + 1):
                    acc += (e[j] / z) * vs[j]
                out[b, i, h * head_dim:(h + 1) * head_dim] = acc
    return out.float()


def linear(x, w, b=None):
    return torch.nn.functional.linear(x, w, b)


def decoder_forward(cfg, W, input_ids, attn_impl="eager", verbose=False):
    """LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM forward
    (eager attention, no cache, no padding), everything in float32."""
    mt = cfg["model_type"]
    H, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    # LlamaAttention.__init__: head_dim = getattr(config, "head_dim", hidden_size // num_attention_heads)
    hd = cfg.get("head_dim") or H // nh
    eps = cfg["rms_norm_eps"]
    scaling = hd ** -0.5
    inv_freq = rope_inv_freq(cfg, hd, verbose=verbose)

    def p(name):
        return W.get(name)

    bsz, q_len = input_ids.shape
    hidden = W["model.embed_tokens.weight"][input_ids]  # nn.Embedding
    position_ids = torch.arange(q_len).unsqueeze(0)
    cos, sin = rope_cos_sin(inv_freq, position_ids)
    mask = causal_mask(q_len)
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        # --- self attention (LlamaDecoderLayer.forward) ---
        residual = hidden
        x = rms_norm(hidden, W[pre + "input_layernorm.weight"], eps)
        q = linear(x, W[pre + "self_attn.q_proj.weight"], p(pre + "self_attn.q_proj.bias"))
        k = linear(x, W[pre + "self_attn.k_proj.weight"], p(pre + "self_attn.k_proj.bias"))
        v = linear(x, W[pre + "self_attn.v_proj.weight"], p(pre + "self_attn.v_proj.bias"))
        hidden_shape = (bsz, q_len, -1, hd)
        qs = q.view(hidden_shape)
        ks = k.view(hidden_shape)
        if mt == "qwen3":  # Qwen3Attention.forward: per-head RMSNorm on head_dim, before rope
            qs = rms_norm(qs, W[pre + "self_attn.q_norm.weight"], eps)
            ks = rms_norm(ks, W[pre + "self_attn.k_norm.weight"], eps)
        if attn_impl == "naive":
            attn = naive_attention(qs.reshape(bsz, q_len, -1), ks.reshape(bsz, q_len, -1), v, inv_freq, nh, nkv, hd)
        else:
            qs = qs.transpose(1, 2)
            ks = ks.transpose(1, 2)
            vs = v.view(hidden_shape).transpose(1, 2)
            qs, ks = apply_rotary_pos_emb(qs, ks, cos, sin)
            attn = eager_attention_forward(qs, ks, vs, mask, scaling, nh // nkv).reshape(bsz, q_len, -1)
        attn = linear(attn, W[pre + "self_attn.o_proj.weight"], p(pre + "self_attn.o_proj.bias"))
        hidden = residual + attn
        # --- MLP (LlamaMLP.forward: down(silu(gate(x)) * up(x))) ---
        residual = hidden
        x = rms_norm(hidden, W[pre + "post_attention_layernorm.weight"], eps)
        g = linear(x, W[pre + "mlp.gate_proj.weight"], p(pre + "mlp.gate_proj.bias"))
        u = linear(x, W[pre + "mlp.up_proj.weight"], p(pre + "mlp.up_proj.bias"))
        x = linear(torch.nn.functional.silu(g) * u, W[pre + "mlp.down_proj.weight"], p(pre + "mlp.down_proj.bias"))
        hidden = residual + x
    hidden = rms_norm(hidden, W["model.norm.weight"], eps)
    lm_head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return linear(hidden, lm_head)


def init_decoder(cfg, g):
    """Random weights, keys and shapes exactly as in the HF state dict, in module order."""
    mt = cfg["model_type"]
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or H // nh
    if mt in ("llama", "qwen3"):
        qkv_bias = o_bias = cfg["attention_bias"]
    elif mt == "qwen2":
        qkv_bias, o_bias = True, False
    else:  # mistral
        qkv_bias = o_bias = False
    mlp_bias = cfg.get("mlp_bias", False)

    W = {}

    def rnd(*shape, std):
        return torch.randn(*shape, generator=g) * std

    def lin(name, out_f, in_f, bias):
        W[name + ".weight"] = rnd(out_f, in_f, std=0.15)
        if bias:
            W[name + ".bias"] = rnd(out_f, std=0.1)

    def norm(name, n):
        W[name] = 1.0 + rnd(n, std=0.1)

    W["model.embed_tokens.weight"] = rnd(V, H, std=0.3)
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        lin(pre + "self_attn.q_proj", nh * hd, H, qkv_bias)
        lin(pre + "self_attn.k_proj", nkv * hd, H, qkv_bias)
        lin(pre + "self_attn.v_proj", nkv * hd, H, qkv_bias)
        lin(pre + "self_attn.o_proj", H, nh * hd, o_bias)
        if mt == "qwen3":
            norm(pre + "self_attn.q_norm.weight", hd)
            norm(pre + "self_attn.k_norm.weight", hd)
        lin(pre + "mlp.gate_proj", I, H, mlp_bias)
        lin(pre + "mlp.up_proj", I, H, mlp_bias)
        lin(pre + "mlp.down_proj", H, I, mlp_bias)
        norm(pre + "input_layernorm.weight", H)
        norm(pre + "post_attention_layernorm.weight", H)
    norm("model.norm.weight", H)
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = rnd(V, H, std=0.15)
    return W


# ----------------------------------------------------------------------------------------------
# GPT-2
# ----------------------------------------------------------------------------------------------
def gelu_new(x):
    """activations.NewGELUActivation.forward"""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def conv1d(x, w, b):
    """pytorch_utils.Conv1D.forward: weight is [in, out]; addmm(bias, x, weight)."""
    size_out = x.size()[:-1] + (w.shape[1],)
    return torch.addmm(b, x.reshape(-1, x.size(-1)), w).view(size_out)


def gpt2_forward(cfg, W, input_ids):
    """GPT2LMHeadModel.forward (eager GPT2Attention._attn, no cache)."""
    E, nh, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hd = E // nh
    bsz, q_len = input_ids.shape
    position_ids = torch.arange(q_len).unsqueeze(0)
    hidden = W["transformer.wte.weight"][input_ids] + W["transformer.wpe.weight"][position_ids]

    def split_heads(t):  # GPT2Attention._split_heads
        return t.view(t.size()[:-1] + (nh, hd)).permute(0, 2, 1, 3)

    def merge_heads(t):  # GPT2Attention._merge_heads
        t = t.permute(0, 2, 1, 3).contiguous()
        return t.view(t.size()[:-2] + (nh * hd,))

    for i in range(cfg["n_layer"]):
        pre = f"transformer.h.{i}."
        residual = hidden
        x = torch.nn.functional.layer_norm(hidden, (E,), W[pre + "ln_1.weight"], W[pre + "ln_1.bias"], eps)
        query, key, value = conv1d(x, W[pre + "attn.c_attn.weight"], W[pre + "attn.c_attn.bias"]).split(E, dim=2)
        query, key, value = split_heads(query), split_heads(key), split_heads(value)
        # GPT2Attention._attn
        attn_weights = torch.matmul(query, key.transpose(-1, -2))
        attn_weights = attn_weights / torch.full([], value.size(-1) ** 0.5, dtype=attn_weights.dtype)  # scale_attn_weights
        key_length = key.size(-2)
        causal = W[pre + "attn.bias"][:, :, key_length - q_len:key_length, :key_length].bool()
        mask_value = torch.full([], torch.finfo(attn_weights.dtype).min, dtype=attn_weights.dtype)
        attn_weights = torch.where(causal, attn_weights, mask_value)
        attn_weights = torch.nn.functional.softmax(attn_weights, dim=-1)
        attn = merge_heads(torch.matmul(attn_weights, value))
        attn = conv1d(attn, W[pre + "attn.c_proj.weight"], W[pre + "attn.c_proj.bias"])
        hidden = residual + attn
        # GPT2MLP
        residual = hidden
        x = torch.nn.functional.layer_norm(hidden, (E,), W[pre + "ln_2.weight"], W[pre + "ln_2.bias"], eps)
        x = gelu_new(conv1d(x, W[pre + "mlp.c_fc.weight"], W[pre + "mlp.c_fc.bias"]))
        x = conv1d(x, W[pre + "mlp.c_proj.weight"], W[pre + "mlp.c_proj.bias"])
        hidden = residual + x
    hidden = torch.nn.functional.layer_norm(hidden, (E,), W["transformer.ln_f.weight"], W["transformer.ln_f.bias"], eps)
    return linear(hidden, W["transformer.wte.weight"])  # lm_head tied to wte


def init_gpt2(cfg, g):
    E, V, P, L = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"], cfg["n_layer"]
    inner = cfg["n_inner"] or 4 * E
    W = {}

    def rnd(*shape, std):
        return torch.randn(*shape, generator=g) * std

    W["transformer.wte.weight"] = rnd(V, E, std=0.3)
    W["transformer.wpe.weight"] = rnd(P, E, std=0.1)
    for i in range(L):
        pre = f"transformer.h.{i}."
        W[pre + "ln_1.weight"] = 1.0 + rnd(E, std=0.1)
        W[pre + "ln_1.bias"] = rnd(E, std=0.1)
        # non-parameter buffer carried by old GPT-2 checkpoints
        W[pre + "attn.bias"] = torch.tril(torch.ones(P, P)).view(1, 1, P, P)
        W[pre + "attn.c_attn.weight"] = rnd(E, 3 * E, std=0.15)  # Conv1D: [in, out]
        W[pre + "attn.c_attn.bias"] = rnd(3 * E, std=0.1)
        W[pre + "attn.c_proj.weight"] = rnd(E, E, std=0.15)
        W[pre + "attn.c_proj.bias"] = rnd(E, std=0.1)
        W[pre + "ln_2.weight"] = 1.0 + rnd(E, std=0.1)
        W[pre + "ln_2.bias"] = rnd(E, std=0.1)
        W[pre + "mlp.c_fc.weight"] = rnd(E, inner, std=0.15)
        W[pre + "mlp.c_fc.bias"] = rnd(inner, std=0.1)
        W[pre + "mlp.c_proj.weight"] = rnd(inner, E, std=0.15)
        W[pre + "mlp.c_proj.bias"] = rnd(E, std=0.1)
    W["transformer.ln_f.weight"] = 1.0 + rnd(E, std=0.1)
    W["transformer.ln_f.bias"] = rnd(E, std=0.1)
    return W


# ----------------------------------------------------------------------------------------------
# Configs (the fields transformers' save_pretrained writes for each model_type)
# ----------------------------------------------------------------------------------------------
def llama_config(**kw):
    c = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": 256,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 16,
        "hidden_act": "silu",
        "max_position_embeddings": 128,
        "initializer_range": 0.02,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "pretraining_tp": 1,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": "float32",
        "use_cache": True,
    }
    c.update(kw)
    return c


def qwen2_config(**kw):
    c = {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "vocab_size": 256,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "hidden_act": "silu",
        "max_position_embeddings": 128,
        "initializer_range": 0.02,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0,
        "rope_scaling": None,
        "tie_word_embeddings": True,
        "use_sliding_window": False,
        "sliding_window": None,
        "max_window_layers": 2,
        "attention_dropout": 0.0,
        "bos_token_id": 254,
        "eos_token_id": 255,
        "torch_dtype": "float16",
        "use_cache": True,
    }
    c.update(kw)
    return c


def qwen3_config(**kw):
    c = qwen2_config(
        architectures=["Qwen3ForCausalLM"],
        model_type="qwen3",
        head_dim=24,
        attention_bias=False,
        tie_word_embeddings=False,
        torch_dtype="bfloat16",
    )
    c.update(kw)
    return c


def mistral_config(**kw):
    c = {
        "architectures": ["MistralForCausalLM"],
        "model_type": "mistral",
        "vocab_size": 256,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "head_dim": 16,
        "hidden_act": "silu",
        "max_position_embeddings": 128,
        "initializer_range": 0.02,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "sliding_window": 4096,
        "tie_word_embeddings": False,
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": "float32",
        "use_cache": True,
    }
    c.update(kw)
    return c


def gpt2_config():
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "attn_pdrop": 0.1,
        "bos_token_id": 255,
        "eos_token_id": 255,
        "embd_pdrop": 0.1,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-5,
        "n_ctx": 64,
        "n_embd": 64,
        "n_head": 4,
        "n_inner": None,
        "n_layer": 2,
        "n_positions": 64,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": 256,
    }


CASES = [
    # name, seed, config, n_shards
    ("llama-gqa-untied", 1001, llama_config(), 1),
    ("llama3-scaled-tied-bias", 1002, llama_config(
        num_key_value_heads=1,
        rope_theta=500000.0,
        # original_max_position_embeddings 64 (not 16): with head_dim 16 the shortest wavelength is
        # 2*pi ~ 6.28, so high_freq_wavelen = orig/high_freq_factor must exceed 6.28 for the
        # "unchanged" band to occur; 64 gives unchanged (6.3) / smoothed (32.5) / scaled (>= 168).
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
        tie_word_embeddings=True, attention_bias=True, mlp_bias=True), 1),
    ("qwen2-bias-sharded-f16", 1003, qwen2_config(), 2),
    ("qwen3-headdim-bf16", 1004, qwen3_config(), 1),
    ("mistral-window", 1005, mistral_config(), 1),
    ("gpt2-hub", 1006, gpt2_config(), 1),
]

_TORCH_DTYPE = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def run_case(name, seed, cfg, n_shards):
    print(f"== {name}")
    out = os.path.join(OUT_ROOT, name)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):  # start clean so stale shards don't linger
        os.remove(os.path.join(out, f))
    g = torch.Generator().manual_seed(seed)
    is_gpt2 = cfg["model_type"] == "gpt2"
    W = init_gpt2(cfg, g) if is_gpt2 else init_decoder(cfg, g)
    V = cfg["vocab_size"]
    input_ids = torch.randint(0, V, (BATCH, SEQ), generator=g)

    # round to the checkpoint dtype: these are the weights AS STORED
    st_dtype = _TORCH_DTYPE[cfg["torch_dtype"]]
    stored = {k: v.to(st_dtype) for k, v in W.items()}
    if is_gpt2:  # the attn.bias buffer is always stored as F32 in old checkpoints
        for k in stored:
            if k.endswith("attn.bias"):
                stored[k] = W[k].to(torch.float32)
    W32 = {k: v.to(torch.float32) for k, v in stored.items()}

    with torch.no_grad():
        if is_gpt2:
            logits = gpt2_forward(cfg, W32, input_ids)
        else:
            logits = decoder_forward(cfg, W32, input_ids, verbose=cfg.get("rope_scaling") is not None)
            if name == "llama-gqa-untied":
                naive = decoder_forward(cfg, W32, input_ids, attn_impl="naive")
                diff = (naive - logits).abs().max().item()
                print(f"    self-check: eager vs naive per-head attention, max |diff| logits = {diff:.3g}")
                assert diff < 1e-5, diff
    logits = logits.to(torch.float32).contiguous()
    assert logits.shape == (BATCH, SEQ, V)
    print(f"    logits std {logits.std().item():.3f}, max |logit| {logits.abs().max().item():.3f}")

    write_json(os.path.join(out, "config.json"), cfg)
    meta = {"format": "pt"}
    if n_shards == 1:
        write_safetensors(os.path.join(out, "model.safetensors"), stored, meta)
    else:
        # shard by layer: embeddings + first half of the layers in shard 1, the rest in shard 2
        n_layers = cfg["num_hidden_layers"]

        def shard_of(key):
            if key.startswith("model.layers."):
                return 1 if int(key.split(".")[2]) < (n_layers + 1) // 2 else 2
            return 1 if key.startswith("model.embed_tokens") else 2

        weight_map, total = {}, 0
        for s in range(1, n_shards + 1):
            fname = f"model-{s:05d}-of-{n_shards:05d}.safetensors"
            part = {k: v for k, v in stored.items() if shard_of(k) == s}
            total += write_safetensors(os.path.join(out, fname), part, meta)
            for k in part:
                weight_map[k] = fname
        write_json(os.path.join(out, "model.safetensors.index.json"),
                   {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})
    write_safetensors(os.path.join(out, "golden.safetensors"),
                      {"input_ids": input_ids.to(torch.int32), "logits": logits}, meta)
    for f in sorted(os.listdir(out)):
        path = os.path.join(out, f)
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()[:16]
        print(f"    {f:40s} {os.path.getsize(path):8d}  {digest}")


def main():
    print(f"torch {torch.__version__}, python {sys.version.split()[0]}")
    only = set(sys.argv[1:])
    for name, seed, cfg, n_shards in CASES:
        if not only or name in only:
            run_case(name, seed, cfg, n_shards)


if __name__ == "__main__":
    main()
