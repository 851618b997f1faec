#!/usr/bin/python3
"""Renders chat templates with Jinja2 in transformers' exact environment into golden.json.

Run with Debian's python3-jinja2: /usr/bin/python3 tokenizers-hf/src/test/python/render_golden.py
The environment is transcribed from transformers' chat_template_utils._compile_jinja_template:
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
extensions=[AssistantTracker, jinja2.ext.loopcontrols]), the tojson filter over json.dumps, and the
raise_exception and strftime_now globals. AssistantTracker is simplified to rendering its body.
"""
import json
import os
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "resources", "chat-templates")


class AssistantTracker(Extension):
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    @jinja2.pass_eval_context
    def _generation_support(self, context, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


# Pinned so that templates printing today's date render the same text on every day; the Java tests
# read the same instant (GoldenClock.CLOCK).
GOLDEN_NOW = datetime(2026, 12, 2, 12, 0, 0)


def strftime_now(format):
    return GOLDEN_NOW.strftime(format)


ENV = ImmutableSandboxedEnvironment(
    trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols])
ENV.filters["tojson"] = tojson
ENV.globals["raise_exception"] = raise_exception
ENV.globals["strftime_now"] = strftime_now

LLAMA2 = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
SPECIAL = {
    "qwen3": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "qwen2.5-instruct": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "chatml": {"bos_token": "<s>", "eos_token": "<|im_end|>", "unk_token": "<unk>"},
    "zephyr": LLAMA2,
    "llama-2-chat": LLAMA2,
    "mistral-instruct": LLAMA2,
    "llama-3-instruct": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "llama-3.2-tools": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "gemma-it": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "granite-3.0-instruct": {"bos_token": "<|end_of_text|>", "eos_token": "<|end_of_text|>"},
}

SYS = {"role": "system", "content": "You are a helpful assistant."}
U1 = {"role": "user", "content": "What is 2 + 2?"}
A1 = {"role": "assistant", "content": "  2 + 2 = 4.  "}
U2 = {"role": "user", "content": "And times 3?"}
UNI = {"role": "user", "content": "Grüße, 世界! 🌍 \"quoted\" \\ back\\slash\ttab\nnew line <tag> & 'single'"}
TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather", "description": "Weather for a city, e.g. Zürich or 東京",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "The city"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7.5}},
            "required": ["city"]}}},
    {"type": "function", "function": {"name": "now", "description": "Current time",
                                      "parameters": {"type": "object", "properties": {}}}},
]
CALL = {"role": "assistant", "content": "",
        "tool_calls": [{"id": "call12345", "type": "function", "function": {"name": "get_weather",
                                                          "arguments": {"city": "Zürich", "days": 2, "flag": True, "none": None, "ratio": 0.5}}}]}
CALL_STR = {"role": "assistant", "content": "Let me check.",
            "tool_calls": [{"type": "function", "function": {"name": "get_weather",
                                                              "arguments": "{\"city\": \"Paris\"}"}}]}
TWO_CALLS = {"role": "assistant", "content": "",
             "tool_calls": [CALL["tool_calls"][0], {"type": "function", "function": {"name": "now", "arguments": {}}}]}
TOOL_RESP = {"role": "tool", "tool_call_id": "call12345", "name": "get_weather",
             "content": "{\"temperature\": 21, \"sky\": \"klar\"}"}
TOOL_RESP2 = {"role": "tool", "content": "12:00"}
REASON = {"role": "assistant", "content": "The answer is 4.", "reasoning_content": "Two plus two makes four."}
THINK_INLINE = {"role": "assistant", "content": "<think>\nAdding numbers.\n</think>\n\nIt is 12."}

BASIC = {
    "single": [U1],
    "system_multi": [SYS, U1, A1, U2],
    "unicode": [SYS, UNI],
    "no_system_multi": [U1, A1, U2, {"role": "assistant", "content": "12"}],
}
ALTERNATION_ERROR = [U1, U2]


def cases(name):
    out = []
    for cname, msgs in BASIC.items():
        for agp in (False, True):
            out.append((f"{cname}/agp={agp}", {"messages": msgs, "add_generation_prompt": agp}))
    if name in ("mistral-instruct", "llama-2-chat", "gemma-it", "zephyr", "chatml", "llama-3-instruct"):
        out.append(("alternation_error", {"messages": ALTERNATION_ERROR, "add_generation_prompt": True}))
    if name in ("qwen3", "qwen2.5-instruct", "llama-3.2-tools", "granite-3.0-instruct"):
        out.append(("tools", {"messages": [SYS, U1], "tools": TOOLS, "add_generation_prompt": True}))
        out.append(("tools_no_system", {"messages": [UNI], "tools": TOOLS, "add_generation_prompt": True}))
    if name in ("qwen3", "qwen2.5-instruct", "llama-3.2-tools"):
        out.append(("tool_calls", {"messages": [SYS, U1, CALL, TOOL_RESP, {"role": "assistant", "content": "21 degrees."}, U2],
                                   "tools": TOOLS, "add_generation_prompt": True}))
    if name in ("qwen3", "qwen2.5-instruct"):
        out.append(("tool_calls_string_args", {"messages": [U1, CALL_STR, TOOL_RESP, TWO_CALLS, TOOL_RESP, TOOL_RESP2],
                                               "tools": TOOLS, "add_generation_prompt": False}))
    if name == "llama-3.2-tools":
        out.append(("two_calls_error", {"messages": [U1, TWO_CALLS], "tools": TOOLS, "add_generation_prompt": True}))
        out.append(("tools_in_system", {"messages": [SYS, U1], "tools": TOOLS, "tools_in_user_message": False,
                                        "add_generation_prompt": True}))
        out.append(("no_user_error", {"messages": [SYS], "tools": TOOLS, "add_generation_prompt": True}))
    if name == "qwen3":
        out.append(("reasoning", {"messages": [SYS, U1, REASON, U2, THINK_INLINE, U2], "add_generation_prompt": True}))
        out.append(("reasoning_last", {"messages": [U1, REASON], "add_generation_prompt": False}))
        out.append(("enable_thinking_false", {"messages": [U1, A1, U2], "add_generation_prompt": True, "enable_thinking": False}))
        out.append(("enable_thinking_true", {"messages": [U1], "add_generation_prompt": True, "enable_thinking": True}))
        out.append(("multi_step_tool", {"messages": [U1, CALL, TOOL_RESP, CALL_STR, {"role": "user", "content": "<tool_response>x</tool_response>"}],
                                        "add_generation_prompt": True}))
    for _, v in out:
        v.setdefault("date_string", "02 Dec 2026")
    return out


def render(source, variables):
    try:
        return {"expected": ENV.from_string(source).render(**variables), "error": None}
    except jinja2.exceptions.TemplateSyntaxError:
        raise
    except Exception as e:  # noqa: BLE001 - the message is what the Java side must report
        return {"expected": None, "error": str(e), "error_type": type(e).__name__}


GENERIC = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
for _f in sorted(os.listdir(RES)):
    if _f.startswith("hf-") and _f.endswith(".jinja"):
        SPECIAL[_f[:-len(".jinja")]] = GENERIC


def generic_cases():
    out = []
    for cname, msgs in BASIC.items():
        for agp in (False, True):
            out.append((f"{cname}/agp={agp}", {"messages": msgs, "add_generation_prompt": agp}))
    out.append(("alternation", {"messages": ALTERNATION_ERROR, "add_generation_prompt": True}))
    out.append(("tools", {"messages": [SYS, U1], "tools": TOOLS, "add_generation_prompt": True}))
    out.append(("tool_calls", {"messages": [SYS, U1, CALL, TOOL_RESP, {"role": "assistant", "content": "21 degrees."}, U2],
                               "tools": TOOLS, "add_generation_prompt": True}))
    out.append(("reasoning", {"messages": [U1, REASON, U2], "add_generation_prompt": True, "enable_thinking": False}))
    for _, v in out:
        v.setdefault("date_string", "02 Dec 2026")
    return out


def chat_entries():
    entries = []
    for name in sorted(SPECIAL):
        with open(os.path.join(RES, name + ".jinja"), encoding="utf-8") as f:
            source = f.read()
        for cname, v in (generic_cases() if name.startswith("hf-") else cases(name)):
            # apply_chat_template: render(messages=, tools=, documents=, add_generation_prompt=, **special, **kwargs)
            variables = {"tools": None, "documents": None, **SPECIAL[name], **v}
            entries.append({"template": name, "case": cname, "variables": variables, **render(source, variables)})
    return entries


from features import FEATURES  # noqa: E402


def feature_entries():
    entries = []
    for name, source, variables in FEATURES:
        entries.append({"template": "features", "case": name, "source": source, "variables": variables,
                        **render(source, variables)})
    return entries


if __name__ == "__main__":
    all_entries = chat_entries() + feature_entries()
    with open(os.path.join(RES, "golden.json"), "w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(e, ensure_ascii=False) for e in all_entries))
        f.write("\n]\n")
    print(len(all_entries), "entries,", sum(1 for e in all_entries if e["error"]), "errors")
