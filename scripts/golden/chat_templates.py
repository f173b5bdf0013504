#!/usr/bin/env python3
"""Golden files for the chat-template tests of the runtime module.

Renders conversations with Python's jinja2 configured exactly as Hugging Face transformers'
``apply_chat_template`` does (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, the
loopcontrols extension, ``tojson`` via json.dumps with ensure_ascii=False, ``raise_exception``
and ``strftime_now`` globals; special tokens passed as variables, ``tools``/``documents`` None).

Inputs:  the real tokenizer_config.json files (scripts/fetch-tokenizers.sh puts them in
         .cache/tokenizers/{llama3,llama3_1,qwen2_5,qwen3}/) and the conversations defined below.
Outputs: runtime/src/test/resources/golden/templates/
         conversations.json            the conversations (input of both Python and Java)
         <model>/<case>.gen.txt        rendered with add_generation_prompt=True
         <model>/<case>.nogen.txt      rendered with add_generation_prompt=False
         features.json                 small templates exercising one jinja2 feature each,
                                       with the expected output or the expected error
         manifest.json                 jinja2 version and the SHA-256 of each template rendered

Usage: python3 scripts/golden/chat_templates.py [TOKENIZERS_DIR]
The output is deterministic: running it twice gives the same bytes.
"""
import hashlib
import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "runtime", "src", "test", "resources", "golden", "templates")
MODELS = ["llama3", "llama3_1", "qwen2_5", "qwen3"]
# strftime_now is frozen so that the golden files do not depend on when they were made;
# the Java tests render with the same fixed clock.
FIXED_NOW = datetime(2026, 1, 5, 9, 7, 3)


def environment():
    """The jinja2 environment of transformers.utils.chat_template_utils._compile_jinja_template."""

    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def special_tokens(config):
    """What transformers passes as **special_tokens_map: the tokens that are set."""
    tokens = {}
    for name in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                 "mask_token"]:
        value = config.get(name)
        if isinstance(value, dict):
            value = value.get("content")
        if value is not None:
            tokens[name] = value
    return tokens


def render(env, source, messages, add_generation_prompt, variables, tokens):
    template = env.from_string(source)
    context = {"messages": messages, "tools": None, "documents": None,
               "add_generation_prompt": add_generation_prompt, **tokens, **variables}
    return template.render(**context)


def m(role, content):
    return {"role": role, "content": content}


def call(name, arguments):
    """A tool call in the OpenAI shape transformers documents: {"type", "function": {name, arguments}}."""
    return {"type": "function", "function": {"name": name, "arguments": arguments}}


def tool_calls(content, *calls):
    return {"role": "assistant", "content": content, "tool_calls": list(calls)}


# Tool schemas in the JSON-schema shape transformers passes as ``tools``.
TOOLS = [
    {"type": "function", "function": {
        "name": "check_stock", "description": "查询商品某尺码的库存",
        "parameters": {"type": "object", "properties": {
            "sku": {"type": "string", "description": "商品编号"},
            "size": {"type": "string", "enum": ["S", "M", "L", "XL"]}},
            "required": ["sku", "size"]}}},
    {"type": "function", "function": {
        "name": "order_status", "description": "Looks up the shipping status of an order.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "integer"}},
                       "required": ["order_id"]}}},
]


# Each case: id, messages, optional variables (extra apply_chat_template keyword arguments).
CASES = [
    {"id": "01-user-only", "messages": [m("user", "Hello!")]},
    {"id": "02-system-user", "messages": [m("system", "You are a helpful shop assistant."),
                                          m("user", "Do you ship to Canada?")]},
    {"id": "03-system-user-assistant", "messages": [
        m("system", "You are a helpful shop assistant."), m("user", "Do you ship to Canada?"),
        m("assistant", "Yes, we ship to Canada within 7 days.")]},
    {"id": "04-user-assistant", "messages": [m("user", "Hi"), m("assistant", "Hello! How can I help?")]},
    {"id": "05-multi-turn-system", "messages": [
        m("system", "Be brief."), m("user", "Price of dress A?"), m("assistant", "199 yuan."),
        m("user", "And in size L?"), m("assistant", "Also 199 yuan, size L is in stock.")]},
    {"id": "06-multi-turn-no-system", "messages": [
        m("user", "one"), m("assistant", "two"), m("user", "three"), m("assistant", "four"),
        m("user", "five"), m("assistant", "six")]},
    {"id": "07-chinese", "messages": [
        m("user", "连衣裙A有S码吗?"), m("assistant", "亲亲，连衣裙A的S码有货哦~ 现在下单满299减50。")]},
    {"id": "08-chinese-system-multi", "messages": [
        m("system", "你是「小美服饰」的客服，语气亲切简短，称呼顾客为亲亲。"),
        m("user", "身高160体重50穿什么码?"), m("assistant", "亲亲，建议您选M码哦。"),
        m("user", "能开发票吗？"), m("assistant", "可以的亲，下单时备注抬头和税号即可。")]},
    {"id": "09-empty-user", "messages": [m("user", "")]},
    {"id": "10-empty-assistant", "messages": [m("user", "你好"), m("assistant", "")]},
    {"id": "11-empty-system", "messages": [m("system", ""), m("user", "hi"), m("assistant", "hello")]},
    {"id": "12-surrounding-whitespace", "messages": [
        m("system", "  \n Be kind.\n\n"), m("user", "\t hello there \n"),
        m("assistant", "\n\nHi!  \n")]},
    {"id": "13-unicode-spaces", "messages": [
        m("user", "\u3000\u00a0有货吗\u3000"), m("assistant", "\u00a0有的亲\u2003\u3000")]},
    {"id": "14-jinja-injection", "messages": [
        m("system", "{{ raise_exception('system injected') }}"),
        m("user", "{{ 7 * 7 }} {% for x in range(3) %}{{ x }}{% endfor %} {# note #} {{ messages }}"),
        m("assistant", "I can only help with orders. {{ bos_token }}")]},
    {"id": "15-special-token-text", "messages": [
        m("user", "what is <|im_end|> or <|eot_id|>?"), m("assistant", "Just text: <|im_start|>.")]},
    {"id": "16-emoji", "messages": [m("user", "Love it 😍👗✨"), m("assistant", "谢谢亲亲 🥰")]},
    {"id": "17-think-last", "messages": [
        m("user", "Is it cotton?"),
        m("assistant", "<think>\nCheck the catalog: 100% cotton.\n</think>\n\nYes, 100% cotton.")]},
    {"id": "18-think-earlier-turn", "messages": [
        m("user", "Q1"), m("assistant", "<think>reason one</think>A1"), m("user", "Q2"),
        m("assistant", "<think>\nreason two\n</think>\n\nA2")]},
    {"id": "19-ends-with-user", "messages": [
        m("system", "Be brief."), m("user", "Hi"), m("assistant", "Hello"), m("user", "Any coupons?")]},
    {"id": "20-quotes-backslashes", "messages": [
        m("user", "He said \"it's 50% off\" \\o/ {'a': 1}"),
        m("assistant", "Path C:\\shop\\new and 'single' \"double\"")]},
    {"id": "21-markdown-newlines", "messages": [
        m("user", "List sizes:\n\n- S\n- M\n\tL\r\nXL"),
        m("assistant", "| size | stock |\n|---|---|\n| S | 3 |\n| M | 0 |\n\n```\ncode\n```")]},
    {"id": "22-system-only", "messages": [m("system", "You are a shop assistant.")]},
    {"id": "23-two-users", "messages": [m("user", "hello"), m("user", "anyone there?"),
                                        m("assistant", "Yes, I am here.")]},
    {"id": "24-tool-turn", "messages": [
        m("user", "Where is order 123?"), m("assistant", "Let me check."),
        m("tool", "{\"order\": 123, \"status\": \"shipped\"}"),
        m("assistant", "Your order 123 has shipped.")]},
    {"id": "25-tool-response-user", "messages": [
        m("user", "real question"), m("assistant", "<think>x</think>calling"),
        m("user", "<tool_response>\nok\n</tool_response>"), m("assistant", "done")]},
    {"id": "26-no-thinking", "messages": [m("user", "快递几天到?")],
     "variables": {"enable_thinking": False}},
    {"id": "27-no-thinking-answered", "messages": [
        m("user", "快递几天到?"), m("assistant", "亲亲，江浙沪一般2天到哦。")],
     "variables": {"enable_thinking": False}},
    {"id": "28-thinking-true", "messages": [m("user", "hi")], "variables": {"enable_thinking": True}},
    {"id": "29-tools-system", "messages": [m("system", "你是「小美服饰」的客服。"), m("user", "连衣裙A还有S码吗?")],
     "variables": {"tools": TOOLS}},
    {"id": "30-tools-default-system", "messages": [m("user", "Where is order 123?")],
     "variables": {"tools": TOOLS}},
    {"id": "31-tool-call-round-trip", "messages": [
        m("user", "连衣裙A还有S码吗?"),
        tool_calls("", call("check_stock", {"sku": "DRESS-A", "size": "S"})),
        m("tool", "{\"sku\": \"DRESS-A\", \"size\": \"S\", \"stock\": 3}"),
        m("assistant", "亲亲，连衣裙A的S码还有3件哦~")],
     "variables": {"tools": TOOLS}},
    {"id": "32-tool-call-with-text", "messages": [
        m("system", "Be brief."), m("user", "Where is order 123?"),
        tool_calls("Let me check.", call("order_status", {"order_id": 123}))],
     "variables": {"tools": TOOLS}},
    {"id": "33-tool-results-in-a-row", "messages": [
        m("user", "Stock of A and B in S?"),
        tool_calls("", call("check_stock", {"sku": "A", "size": "S"}), call("check_stock", {"sku": "B", "size": "S"})),
        m("tool", "{\"stock\": 3}"), m("tool", "{\"stock\": 0}"),
        m("assistant", "A: 3 left; B: sold out.")],
     "variables": {"tools": TOOLS}},
    {"id": "34-tool-call-without-function-wrapper", "messages": [
        m("user", "Order 7?"),
        tool_calls("", {"name": "order_status", "arguments": {"order_id": 7}}),
        m("tool", "shipped")]},
]


def feature(name, template, messages=None, add_generation_prompt=False, variables=None):
    return {"name": name, "template": template,
            "messages": messages if messages is not None else [m("system", "sys"), m("user", "Hi there"),
                                                              m("assistant", "Hello"), m("user", "Bye")],
            "add_generation_prompt": add_generation_prompt, "variables": variables or {}}


# Small templates that each exercise one jinja2 feature that real chat templates use.
FEATURES = [
    feature("slice-reverse", "{% for x in messages[::-1] %}{{ x.role }},{% endfor %}"),
    feature("slice-ranges", "{{ messages[1:]|length }} {{ messages[:-1]|length }} {{ messages[-1].content }}"
            " {{ messages[1:3][0].role }} {{ 'abcdef'[1:3] }} {{ 'abcdef'[::2] }} {{ 'abcdef'[::-1] }}"
            " {{ 'abcdef'[-2:] }} {{ [1,2,3,4][::-2] }}"),
    feature("namespace-kwargs", "{% set ns = namespace(a=messages|length - 1, b='x', c=false) %}"
            "{{ ns.a }}{{ ns.b }}{{ ns.c }}{% for x in messages %}{% set ns.a = ns.a + 10 %}{% endfor %}{{ ns.a }}"),
    feature("not-precedence", "{% for x in messages %}{% if not x.role == 'user' %}N{% else %}U{% endif %}"
            "{% if not x.content.startswith('H') and x.role != 'system' %}!{% endif %}"
            "{% if not (x.content.startswith('B') or x.content.endswith('o')) %}?{% endif %}{% endfor %}"),
    feature("string-methods",
            "[{{ '  a b  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '\\n\\na\\n'.lstrip('\\n') }}]"
            "[{{ 'a\\n\\n'.rstrip() }}][{{ '\u3000\u00a0a\u3000'.strip() }}][{{ 'a,b,,c,'.split(',') }}]"
            "[{{ ' a  b \\n c '.split() }}][{{ 'a</think>b</think>c'.split('</think>')[-1] }}]"
            "[{{ 'abc'.startswith('ab') }}][{{ 'abc'.endswith('bc') }}][{{ 'aXbXc'.replace('X', '--') }}]"
            "[{{ 'MiXed'.upper() }}][{{ 'MiXed'.lower() }}][{{ 'hello world'.title() }}]"
            "[{{ 'hello'.capitalize() }}][{{ 'a-b'.split('-', 1) }}][{{ 'abc'.find('c') }}]"),
    feature("python-printing", "{{ true }} {{ false }} {{ [1, 'a', true, none] }} {{ {'k': 'v'} }}"
            " {{ 1.5 }} {{ 10 / 4 }} {{ 10 // 4 }} {{ 7 % 3 }} {{ 2 ** 3 }} {{ messages[1] }}"),
    feature("tojson", "{{ {'name': '连衣裙', 'n': 1, 'ok': true, 'none': none, 'list': [1.5, 'a\"b']} | tojson }}"
            "\n{{ messages[0] | tojson }}\n{{ 'line\\nbreak\\ttab' | tojson }}\n{{ {'b': 1, 'a': [1, {'c': 2}]} | tojson(indent=4) }}"
            "\n{{ [] | tojson(indent=2) }}|{{ {} | tojson(indent=2) }}"),
    feature("tojson-tools", "{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}",
            variables={"tools": [{"type": "function", "function": {
                "name": "check_stock", "description": "查库存",
                "parameters": {"type": "object", "properties": {"sku": {"type": "string"}},
                               "required": ["sku"]}}}]}),
    feature("raise-exception",
            "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation must start with a user message') }}{% endif %}ok"),
    feature("raise-exception-alternation",
            "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
            "{% endif %}{{ message['content'] }}{% endfor %}",
            messages=[m("user", "a"), m("assistant", "b"), m("user", "c")]),
    feature("strftime-now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|"
            "{{ strftime_now('%A %B %j %y %I%p %%') }}"),
    feature("date-string-default", "{% if not date_string is defined %}{% set date_string = '26 Jul 2024' %}{% endif %}"
            "Today Date: {{ date_string }}"),
    feature("loopcontrols", "{% for x in messages %}{% if x.role == 'system' %}{% continue %}{% endif %}"
            "{{ x.role }}{% if loop.index > 2 %}{% break %}{% endif %};{% endfor %}"),
    feature("loop-variables", "{% for x in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}"
            "{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}|{% endfor %}"),
    feature("tests", "{{ messages is iterable }} {{ 'a' is iterable }} {{ 3 is iterable }} {{ 'a' is string }}"
            " {{ messages[0] is mapping }} {{ none is none }} {{ undefined_thing is defined }}"
            " {{ messages[0].content is string }} {{ 3 is number }} {{ messages is sequence }}"),
    feature("undefined-tokens", "[{{ bos_token }}][{{ missing }}][{{ messages[0].missing }}]"
            "{% if messages[0].missing is not defined %}nd{% endif %}{% if messages[0].missing %}x{% endif %}"),
    feature("whitespace-control",
            "{% for x in messages %}\n    {% if x.role == 'user' %}\n        U:{{ x.content }}\n    {% endif %}\n"
            "    {%- if x.role == 'assistant' -%}\n  A:{{- x.content -}}  \n    {%- endif %}\n{# comment #}\n"
            "  {#- trimmed comment -#}  \n{% endfor %}\nend\n"),
    feature("whitespace-minus", "a  {{- ' b ' -}}  c\n  {%- if true %}  d  {% endif -%}\n\n  e  {{ 'f' }}\n"),
    feature("whitespace-plus-and-comments", "a\n    {%+ if true %}x{% endif +%}\ny\n  {# c #}\nz\n  {#- c2 #}  w {#+ c3 +#}\nv"),
    feature("whitespace-nested-blocks", "{% if true %}\n  {% for x in messages %}\n    {{ x.role }}\n  {% endfor %}\n{% endif %}\n"
            "tail  {% if true %}kept{% endif %}  \n\t{% if true %}\r\nT{% endif %}"),
    feature("raw-block", "{% raw %}{{ not rendered }} {% if %}{% endraw %}\n{{ 'ok' }}"),
    feature("filters", "{{ messages|length }} {{ messages|first|attr('role') if false else (messages|first).role }}"
            " {{ (messages|last).content }} {{ ['a','b']|join(', ') }} {{ 'X'|lower }} {{ 'x'|upper }}"
            " {{ missing|default('dflt') }} {{ ' t '|trim }} {{ 'a-b'|replace('-', '+') }}"
            " {{ 3|string }} {{ messages|selectattr('role', 'equalto', 'user')|list|length }}"
            " {{ messages|map(attribute='role')|join('/') }} {{ 'abc'|list }} {{ '%s-%d'|format('a', 3) }}"),
    feature("inline-if-concat", "{% for x in messages %}{{ (x.role ~ ':' ~ x.content) if x.role != 'system' else 'S' }}"
            "{{ '+' if not loop.last }}{% endfor %}"),
    feature("dict-items", "{% for k, v in {'b': 1, 'a': 'two'}.items() %}{{ k }}={{ v }};{% endfor %}"
            "{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}{{ {'k': 1}.get('k') }}{{ {'k': 1}.get('z', 'd') }}"
            "{{ 'k' in {'k': 1} }}{{ {'k': 1}.keys()|list }}"),
    feature("macro", "{% macro show(m, prefix='>') %}{{ prefix }}{{ m.role }}:{{ m.content }}{% endmacro %}"
            "{% for x in messages %}{{ show(x) }}{{ show(x, prefix='#') }}{% endfor %}"),
    feature("set-block-and-in", "{% set ns = namespace(found=false) %}{% for x in messages %}"
            "{% if 'Hi' in x.content %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}"
            "{{ 'sys' in messages|map(attribute='content')|list }}{{ 'zz' not in 'abc' }}"),
    feature("generation-prompt-and-tokens", "{{ bos_token }}{% for x in messages %}{{ x.content + eos_token }}{% endfor %}"
            "{% if add_generation_prompt %}<gen>{% endif %}", add_generation_prompt=True,
            variables={"bos_token": "<s>", "eos_token": "</s>"}),
    feature("content-list", "{% for x in messages %}{% if x.content is string %}{{ x.content }}"
            "{% else %}{% for part in x.content %}{{ part.text }}{% endfor %}{% endif %}|{% endfor %}",
            messages=[m("user", [{"type": "text", "text": "part one "}, {"type": "text", "text": "part two"}]),
                      m("assistant", "plain")]),
    feature("integer-math", "{{ messages|length // 2 }} {{ (messages|length - 1) * 2 }} {{ -3 // 2 }} {{ 7 % 3 }}"
            " {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 9 / 3 }} {{ range(3)|list }} {{ range(1, 7, 2)|list }}"),
]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def main():
    tokenizers = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, ".cache", "tokenizers")
    env = environment()
    manifest = {"jinja2": jinja2.__version__, "fixed_now": FIXED_NOW.isoformat(), "templates": {}}
    for model in MODELS:
        with open(os.path.join(tokenizers, model, "tokenizer_config.json"), encoding="utf-8") as f:
            config = json.load(f)
        source = config["chat_template"]
        manifest["templates"][model] = hashlib.sha256(source.encode("utf-8")).hexdigest()
        tokens = special_tokens(config)
        for case in CASES:
            for gen in (True, False):
                text = render(env, source, case["messages"], gen, case.get("variables", {}), tokens)
                write(os.path.join(OUT, model, case["id"] + (".gen.txt" if gen else ".nogen.txt")), text)
    write(os.path.join(OUT, "conversations.json"),
          json.dumps(CASES, ensure_ascii=False, indent=1) + "\n")
    features = []
    for spec in FEATURES:
        result = dict(spec)
        try:
            result["expected"] = render(env, spec["template"], spec["messages"],
                                        spec["add_generation_prompt"], spec["variables"], {})
        except TemplateError as e:
            result["error"] = str(e)
        features.append(result)
    write(os.path.join(OUT, "features.json"), json.dumps(features, ensure_ascii=False, indent=1) + "\n")
    write(os.path.join(OUT, "manifest.json"), json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(CASES) * 2 * len(MODELS)} renders and {len(features)} feature cases to {OUT}")


if __name__ == "__main__":
    main()
