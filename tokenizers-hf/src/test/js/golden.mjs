// Golden token ids for HfTokenizerGoldenTest, from an implementation independent of DJL / the Rust
// tokenizers library: @lenml/tokenizers (a JavaScript port of Hugging Face tokenizers, from
// transformers.js). See README.md in this folder for how to run it.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { TokenizerLoader } from "@lenml/tokenizers";

const resources = process.argv[2];
if (!resources) {
  console.error("usage: node golden.mjs <tokenizers-hf/src/test/resources>");
  process.exit(2);
}

const STRINGS = [
  "",
  "Hello world",
  "Hello, world! How are you?",
  "The quick brown fox jumps over the lazy dog.",
  "你好，世界！今天天气很好。",
  "Café déjà vu, naïve façade, Ærøskøbing, Straße",
  "emoji: 😀🎉👍🏽 👨‍👩‍👧‍👦 ❤️",
  "def hello(name):\n    if name:\n        return f\"hi {name}\"\n\treturn None\n",
  "12345 6789012 3.14159 1,000,000 2025-01-01",
  "   leading and trailing spaces   ",
  "multiple\n\n\nnewlines\r\nand\ttabs\t\tdouble",
  "a  b   c    d",
  " ",
  "\n",
  "Ω≈ç√∫ ∑∏ π ∞ → ⇒ ∀x∃y",
  "mixed 中文 and English 123 😀 text",
];

// Text with special-token strings: encoded with specials recognised (encodeWithSpecials) and as
// plain text (encode, which must not produce special ids).
const SPECIAL_STRINGS = {
  qwen3: [
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>",
    "text<|im_end|>more text",
    "<|im_start|>",
    "<think>\nreasoning\n</think>\n\nanswer",
  ],
  "tiny-llama": ["<s>Hello world</s>", "</s>", "the<unk>end", "<s>[INST] hi [/INST] there</s>"],
};

function readJson(file) {
  const bytes = file.endsWith(".gz") ? zlib.gunzipSync(fs.readFileSync(file)) : fs.readFileSync(file);
  return JSON.parse(bytes.toString("utf8"));
}

function load(tokenizerJSON, tokenizerConfig) {
  return TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
}

function encode(tokenizer, text) {
  return Array.from(tokenizer.encode(text, { add_special_tokens: false }));
}

const out = {
  generator: "src/test/js/golden.mjs with @lenml/tokenizers " + readJson(path.join(path.dirname(new URL(import.meta.url).pathname), "package.json")).dependencies["@lenml/tokenizers"],
  tokenizers: {},
};
for (const name of ["qwen3", "tiny-llama"]) {
  const dir = path.join(resources, name);
  const jsonFile = fs.existsSync(path.join(dir, "tokenizer.json.gz"))
    ? path.join(dir, "tokenizer.json.gz")
    : path.join(dir, "tokenizer.json");
  const tj = readJson(jsonFile);
  const config = readJson(path.join(dir, "tokenizer_config.json"));
  const full = load(tj, config);
  // encode(): the same file with the special added tokens removed, so that their text is ordinary
  // text (what the Rust library's encode_special_tokens does; HfTokenizer does the same).
  const plainJson = { ...tj, added_tokens: tj.added_tokens.filter((t) => !t.special) };
  const plain = load(plainJson, config);
  const entry = { plain: {}, withSpecials: {} };
  for (const s of STRINGS) {
    entry.plain[s] = encode(plain, s);
    entry.withSpecials[s] = encode(full, s);
  }
  for (const s of SPECIAL_STRINGS[name]) {
    entry.plain[s] = encode(plain, s);
    entry.withSpecials[s] = encode(full, s);
  }
  out.tokenizers[name] = entry;
}
fs.writeFileSync(path.join(resources, "golden.json"), JSON.stringify(out, null, 1) + "\n");
console.log("wrote", path.join(resources, "golden.json"));
