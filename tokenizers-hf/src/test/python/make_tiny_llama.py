#!/usr/bin/env python3
"""Writes src/test/resources/tiny-llama/{tokenizer.json,tokenizer_config.json}: a small synthetic
tokenizer in the layout of Llama 2's (SentencePiece-style BPE: "▁" for spaces, byte fallback
<0x00>..<0xFF>, specials <unk>=0 <s>=1 </s>=2, add_bos_token true). Vocabulary and merges are
learned here from a few sentences, so the file is ours (no model licence applies).

Run from tokenizers-hf/:  python3 src/test/python/make_tiny_llama.py
Deterministic: the same output on every run.
"""
import json
from collections import Counter
from pathlib import Path

CORPUS = [
    "Hello world, the quick brown fox jumps over the lazy dog.",
    "The model answers the question and the user reads the answer.",
    "def hello():\n    return 'world'\n",
    "There are 12 apples and 345 oranges in the basket, then 6789 more.",
    "Tokenizers split text into tokens; tokens become ids.",
]
MERGES = 120
OUT = Path(__file__).resolve().parents[1] / "resources" / "tiny-llama"


def normalize(text):
    return "\u2581" + text.replace(" ", "\u2581")


def train():
    seqs = [list(normalize(t)) for t in CORPUS]
    vocab = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    chars = sorted({c for s in seqs for c in s if c != "\n"})
    vocab += chars
    merges = []
    for _ in range(MERGES):
        pairs = Counter()
        for s in seqs:
            for a, b in zip(s, s[1:]):
                if "\n" not in a + b:
                    pairs[(a, b)] += 1
        if not pairs:
            break
        (a, b), n = max(pairs.items(), key=lambda kv: (kv[1], -len(kv[0][0] + kv[0][1]), kv[0]))
        if n < 2:
            break
        merges.append(a + " " + b)
        vocab.append(a + b)
        for s in seqs:
            i = 0
            while i < len(s) - 1:
                if s[i] == a and s[i + 1] == b:
                    s[i : i + 2] = [a + b]
                i += 1
    return {tok: i for i, tok in enumerate(vocab)}, merges


def special(i, content):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def main():
    vocab, merges = train()
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True,
                  "ignore_merges": False, "vocab": vocab, "merges": merges},
    }
    template = (
        "{{ bos_token }}{% for message in messages %}"
        "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
        "{% else %}{{ ' ' + message['content'] + eos_token }}{% endif %}{% endfor %}")
    config = {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False},
        "unk_token": "<unk>",
        "pad_token": None,
        "chat_template": [
            {"name": "default", "template": template},
            {"name": "tool_use", "template": "{{ raise_exception('tool use is not supported') }}"},
        ],
        "tokenizer_class": "LlamaTokenizer",
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (OUT / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("vocab", len(vocab), "merges", len(merges))


if __name__ == "__main__":
    main()
