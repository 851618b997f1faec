"""Small templates exercising Jinja's language corners; render_golden.py renders them."""

V = {
    "items": ["a", "b", "c"],
    "nums": [3, 1, 2, 10, -4],
    "d": {"x": 1, "y": "two", "z": None, "w": [1, 2]},
    "s": "Hello, World",
    "users": [{"name": "ann", "age": 31, "admin": True}, {"name": "Bob", "age": 25, "admin": False},
              {"name": "cy", "age": 40}],
    "empty": [],
    "text": "  line one\nline two\n\nline four  ",
    "f": 2.5,
    "n": 7,
    "none": None,
    "t": True,
    "uni": "Grüße 世界 🌍",
}

FEATURES = [
    ("loop_vars", "{% for x in items %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/"
                  "{{ loop.first }}/{{ loop.last }}/{{ loop.length }}/{{ loop.previtem }}/{{ loop.nextitem }}/{{ loop.cycle('o','e') }};{% endfor %}", V),
    ("for_else_filter", "{% for x in nums if x > 2 %}{{ x }},{% else %}none{% endfor %}|{% for x in empty %}{{ x }}{% else %}empty{% endfor %}|"
                        "{% for x in nums if x > 100 %}{{ x }}{% else %}filtered-empty{% endfor %}|{% for x in nums if x > 0 %}{{ loop.length }}{% endfor %}", V),
    ("break_continue", "{% for x in nums %}{% if x == 2 %}{% break %}{% endif %}{% if x == 1 %}{% continue %}{% endif %}{{ x }};{% endfor %}", V),
    ("unpack", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}{% for a, b in [(1, 2), [3, 4]] %}{{ a + b }}{% endfor %}"
               "{% set p, q = 'xy' %}{{ q }}{{ p }}", V),
    ("nested_loops", "{% for a in items %}{% for b in items %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }}|{% endfor %}", V),
    ("namespace", "{% set ns = namespace(count=0, found=none) %}{% for x in nums %}{% if x > 1 %}{% set ns.count = ns.count + 1 %}{% set ns.found = x %}{% endif %}{% endfor %}"
                  "{{ ns.count }} {{ ns.found }} {% set ns2 = namespace({'a': 1}) %}{{ ns2.a }}", V),
    ("scoping", "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = x + 10 %}{{ x }};{% endfor %}{{ x }}{% if true %}{% set y = 5 %}{% endif %}{{ y }}", V),
    ("block_set", "{% set block %}  inner {{ n }}\n{% endset %}[{{ block }}]{% set b2 | upper %}shout{% endset %}{{ b2 }}", V),
    ("slicing", "{{ s[::-1] }}|{{ items[1:] }}|{{ items[:-1] }}|{{ nums[::2] }}|{{ s[2:5] }}|{{ items[-1] }}|{{ nums[4:1:-1] }}|{{ s[-3:] }}|{{ nums[10:] }}|{{ s[:100] }}|{{ items[::-1][0] }}", V),
    ("filters_str", "{{ text|trim }}|{{ '  x  '|trim }}|{{ 'xxhixx'|trim('x') }}|{{ s|lower }}|{{ s|upper }}|{{ 'hello wORLD-foo(bar'|title }}|{{ 'hELLO wORLD'|capitalize }}|"
                    "{{ s|replace('l', 'L') }}|{{ s|replace('l', 'L', 2) }}|{{ s|length }}|{{ uni|length }}|{{ s|count }}|{{ 'a b  c'|wordcount }}|{{ s|reverse }}|{{ 'a<b>&\"c\\''|e }}|{{ 'x'|safe }}", V),
    ("filters_list", "{{ items|join(', ') }}|{{ nums|join }}|{{ items|first }}|{{ items|last }}|{{ 'abc'|list }}|{{ d|items|list }}|{{ nums|sort }}|{{ nums|sort(reverse=true) }}|"
                     "{{ ['b', 'A', 'a', 'B']|unique|list }}|{{ ['b', 'A', 'c']|sort }}|{{ nums|reverse|list }}|{{ nums|sum }}|{{ nums|min }}|{{ nums|max }}|{{ empty|first }}|{{ d|dictsort }}|{{ d|list }}", V),
    ("filters_map_select", "{{ users|map(attribute='name')|join(',') }}|{{ users|selectattr('admin')|map(attribute='name')|list }}|{{ users|rejectattr('admin')|map(attribute='name')|list }}|"
                           "{{ users|selectattr('name', 'equalto', 'Bob')|list|length }}|{{ nums|select('odd')|list }}|{{ nums|reject('odd')|list }}|{{ nums|select|list }}|"
                           "{{ nums|map('string')|join('-') }}|{{ users|sort(attribute='age')|map(attribute='name')|join }}|{{ users|map(attribute='admin', default='?')|list }}|{{ nums|select('greaterthan', 1)|list }}", V),
    ("filters_num", "{{ '42'|int }}|{{ '4.7'|int }}|{{ 'x'|int }}|{{ 'x'|int(5) }}|{{ 3.9|int }}|{{ '2.5'|float }}|{{ 'y'|float }}|{{ 7|float }}|{{ 2.567|round }}|{{ 2.567|round(2) }}|"
                    "{{ 2.5|round }}|{{ 3.5|round }}|{{ 2.561|round(1, 'floor') }}|{{ 2.561|round(1, 'ceil') }}|{{ -3|abs }}|{{ -2.5|abs }}|{{ n|string ~ '!' }}|{{ '%s and %d' % ('x', 3) }}|{{ '%s'|format(5) }}", V),
    ("filters_default", "{{ missing|default('dflt') }}|{{ none|default('dflt') }}|{{ ''|default('dflt', true) }}|{{ missing|d('d2') }}|{{ 0|default(1, boolean=true) }}|{{ missing|length }}|{{ missing|list }}|{{ missing|items|list }}", V),
    ("filters_indent", "{{ text|indent }}|{{ text|indent(2, true) }}|{{ text|indent(first=true, blank=true) }}|{{ 'a\nb'|indent('> ') }}", V),
    ("tojson", "{{ d|tojson }}|{{ d|tojson(indent=2) }}|{{ users|tojson(sort_keys=true) }}|{{ uni|tojson }}|{{ d|tojson(separators=(',', ':')) }}|{{ [1.0, 0.1, 1e20, 1.5e-7, -0.0, 100.0]|tojson }}|"
               "{{ {'a': {'b': []}, 'c': {}}|tojson(indent=3) }}|{{ 'ctl\x01\x7f'|tojson }}|{{ uni|tojson(ensure_ascii=true) }}|{{ {1: 'int key', 'n': none}|tojson }}|{{ t|tojson }}|{{ d|tojson(indent='\t') }}", V),
    ("tests", "{{ missing is defined }}{{ missing is undefined }}{{ none is none }}{{ s is string }}{{ n is number }}{{ t is number }}{{ n is integer }}{{ t is integer }}{{ f is float }}{{ n is float }}|"
              "{{ d is mapping }}{{ items is mapping }}{{ items is sequence }}{{ s is sequence }}{{ d is iterable }}{{ n is iterable }}{{ t is boolean }}{{ n is boolean }}{{ t is true }}{{ 1 is true }}{{ false is false }}|"
              "{{ n is even }}{{ n is odd }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(2) }}{{ s is equalto 'Hello, World' }}{{ n == 7 }}{{ n is eq 7 }}{{ n is ne 7 }}{{ n is not none }}{{ n is not odd }}|"
              "{{ raise_exception is callable }}{{ s is callable }}{{ s.upper is callable }}{{ 2 is in [1, 2] }}{{ n is gt 3 }}{{ n is lt 3 }}{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ none is sameas none }}", V),
    ("whitespace", "<{% if t %}\n  yes\n{% endif %}>\n  {% for x in items %}\n    {{ x }}\n  {% endfor %}\n<{%- if t -%}\n  trimmed\n{%- endif -%}>\n{{- ' joined ' -}}\n  <{%+ if t %}kept{% endif %}>\n"
                   "  {# comment #}\n  after-comment {{ n }}  \n  {{ n }}\n  {%- set z = 1 %}\nend {#- c -#} x {{ n -}}   \n\n y {% raw %}{{ not parsed }}{% endraw %}\n  {% if t +%}\nplus-kept{% endif %}\n", V),
    ("whitespace2", "{% for m in items %}\n{% if loop.first %}\n  first: {{ m }}\n{% else %}\n  other: {{ m }}\n{% endif %}\n{% endfor %}\ntail   {% if t %}  inline  {% endif %}  \n\t{% if t %}tab{% endif %}\n", V),
    ("macros", "{% macro greet(name, greeting='Hi', punct='!') -%}\n{{ greeting }}, {{ name }}{{ punct }}\n{%- endmacro %}{{ greet('ann') }} {{ greet('bob', 'Yo') }} {{ greet(name='cy', punct='?') }}"
               "{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k }}*{{ fact(k - 1) }}{% endif %}{% endmacro %} {{ fact(5) }}"
               "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %} {% call wrap('b') %}bold {{ n }}{% endcall %}"
               "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %} {% call(v) each(items) %}[{{ v }}]{% endcall %}{% macro va() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ va(1, 2, k=3) }}", V),
    ("undefined", "[{{ missing }}][{{ d.nokey }}][{{ d['nokey'] }}][{{ items[10] }}]{% for x in missing %}x{% endfor %}[{{ missing is defined }}][{{ d.nokey is defined }}]"
                  "[{{ 'yes' if missing else 'no' }}][{{ missing == none }}][{{ missing ~ 'cat' }}][{{ 'v' if false }}][{{ ''.__class__ }}][{{ d.__class__ }}][{{ items.append }}][{{ d.update }}][{{ 'x' in missing }}]", V),
    ("repr", "{{ items }}|{{ d }}|{{ none }}|{{ t }}|{{ false }}|{{ 1.0 }}|{{ 0.1 + 0.2 }}|{{ 1e20 }}|{{ 1e16 }}|{{ 1.5e-7 }}|{{ 123456789.0 }}|{{ 0.0001 }}|{{ 3.14 }}|{{ (1, 'a') }}|{{ (1,) }}|"
             "{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'nl\\n'] }}|{{ {'k': [1, {'n': none}]} }}|{{ 7 / 2 }}|{{ 6 / 2 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ uni }}|{{ [uni] }}|{{ 10 ** 9 }}|{{ 1_000 }}", V),
    ("operators", "{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 'ab' ~ 1 ~ none }}|{{ 'ab' + 'cd' }}|{{ [1] + [2] }}|{{ 'ab' * 3 }}|{{ 3 * 'x' }}|{{ n > 3 and n < 10 }}|{{ none or 'fallback' }}|{{ 0 and 'x' }}|"
                  "{{ 'a' in 'cat' }}|{{ 'x' not in items }}|{{ 'x' in d }}|{{ 1 in [1.0] }}|{{ not t }}|{{ not none }}|{{ 1 == 1.0 }}|{{ 'a' < 'b' }}|{{ [1, 2] < [1, 3] }}|{{ 'y' if n > 5 else 'n' }}|"
                  "{{ -n }}|{{ -n|abs }}|{{ t + 1 }}|{{ 1 + 1 is number }}|{{ n is odd and n > 1 }}|{{ 'a' if 'b' if false else 'c' }}", V),
    ("str_methods", "{{ s.startswith('Hell') }}{{ s.endswith(('x', 'ld')) }}|{{ text.strip() }}|{{ text.lstrip() }}|{{ text.rstrip() }}|{{ 'xxhixx'.strip('x') }}|{{ s.split(', ') }}|{{ text.split() }}|"
                    "{{ 'a,b,c'.split(',', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ s.replace('o', '0') }}|{{ s.upper() }}{{ s.lower() }}|{{ 'hello wORLD'.title() }}|{{ s.find('o') }}{{ s.find('q') }}|{{ s.count('l') }}|"
                    "{{ '-'.join(items) }}|{{ s.split(',')[0] }}|{{ d.get('x') }}{{ d.get('q') }}{{ d.get('q', 'dv') }}|{{ d.keys()|list }}|{{ d.values()|list }}|{{ 'a\nb'.splitlines() }}|{{ '12'.isdigit() }}", V),
    ("dict_access", "{{ users[0].name }}{{ users[0]['age'] }}{{ d.w[1] }}{{ d['w'][0] }}{{ d.w.0 }}|{% set m = {'role': 'user', 'content': 'c', 'items': 'key!'} %}{{ m.role }}{{ m['items'] }}{{ m.items()|list|length }}|{{ {'a': 1}.a }}", V),
    ("with_filter_block", "{% with a = 1, b = n %}{{ a + b }}{% endwith %}|{% filter upper %}upper {{ s }}{% endfilter %}|{% generation %}gen {{ n }}{% endgeneration %}", V),
    ("hostile_class", "{{ ''.__class__ }}|{{ s.__len__ }}|{{ d._private }}|{{ items.__class__ }}|{{ range.__globals__ }}", V),
    ("range", "{{ range(3)|list }}{{ range(1, 4)|list }}{{ range(10, 0, -3)|list }}{% for i in range(2) %}{{ i }}{% endfor %}", V),
    # errors
    ("err_undefined_attr", "{{ missing.attr }}", V),
    ("err_undefined_item", "{{ missing['k'] }}", V),
    ("err_mro", "{{ messages.__class__.__mro__ }}", {"messages": []}),
    ("err_raise", "line1\n{{ raise_exception('Custom failure: ' ~ n) }}", V),
    ("err_range", "{% for i in range(10**9) %}{{ i }}{% endfor %}", V),
    ("err_add", "{{ 'a' + 1 }}", V),
    ("err_none_iter", "{% for x in none %}{% endfor %}", V),
    ("err_call_undefined", "{{ nofunc() }}", V),
    ("err_ns_assign", "{% set x = 1 %}{% set x.y = 2 %}", V),
    ("err_tojson_undefined", "{{ missing|tojson }}", V),
]

FEATURES += [
    ("undefined_corners", "{{ missing is sequence }}{{ missing is iterable }}{{ missing is mapping }}{{ missing is none }}{{ missing is string }}|{{ missing|string }}|{{ missing|trim }}|"
                          "{{ missing|join }}|{{ missing|first }}|{{ missing|lower }}|{{ missing|upper }}{{ missing|capitalize }}{{ missing|wordcount }}{{ missing|sum }}{{ missing|sort }}{{ missing|last }}|{{ none|string }}|{{ none|trim }}|{{ missing|default }}|{{ x if x is defined else 'no' }}|{{ missing|list|length }}", V),
    ("chained_compare", "{{ 3 > 2 > 1 }}{{ 1 < 2 < 3 }}{{ 1 < 3 < 2 }}{{ 1 == 1 != 2 }}{{ 1 < n <= 7 }}", V),
    ("literals", "{{ 'a' 'b' \"c\" }}|{{ '\\x41\\u00e9\\t|' }}|{{ 'it\\'s' }}|{{ \"say \\\"x\\\"\" }}|{{ 'back\\\\slash' }}|{{ 'unknown \\d escape' }}|{{ 0.5 }}|{{ 1_000.5 }}|{{ 2.0e3 }}|{{ (1) }}|{{ () }}|{{ [1,] }}|{{ {'a': 1,} }}", V),
    ("numbers", "{{ 2**62 }}|{{ 10 / 4 }}|{{ 1 / 3 }}|{{ 2 / 3 }}|{{ 1e300 * 1e300 }}|{{ -1e300 * 1e300 }}|{{ 7.5 // 2 }}|{{ -7.5 % 2 }}|{{ 7 % -3 }}|{{ 0.1 * 3 }}|{{ 1e-5 }}|{{ 123456789012345678 }}|{{ 1.0e15 }}|{{ 12345678901234567.0 }}|{{ '%05.2f'|format(3.14159) }}|{{ '%-5s|' % 'ab' }}|{{ '%5s' % 'ab' }}", V),
    ("more_filters", "{% for a, b in d|dictsort %}{{ a }}{{ b }},{% endfor %}|{{ users|map(attribute='name')|map('upper')|join }}|{{ ['1', '2', '3']|map('int')|sum }}|{{ 'abc'|first }}{{ 'abc'[1] }}|"
                     "{{ d.items()|list|first|first }}|{{ users|selectattr('age', 'gt', 30)|map(attribute='name')|join('+') }}|{{ users|map(attribute='missing')|list|length }}|{{ nums|unique|list }}|{{ ['a', 'A']|unique(true)|list }}|{{ [3, 1]|sort|first }}", V),
    ("ns_accumulate", "{% set ns = namespace(items=[], text='') %}{% for x in items %}{% set ns.items = ns.items + [x|upper] %}{% set ns.text = ns.text ~ x %}{% endfor %}{{ ns.items }}{{ ns.text }}{% set e %}{% endset %}[{{ e }}]", V),
    ("macro_defaults", "{% macro m(a, b=a ~ '!', c=none) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m('x') }}|{{ m('x', c=1) }}|{% macro outer() %}{{ n }}{{ caller() if caller is defined else 'nocaller' }}{% endmacro %}{{ outer() }}", V),
    ("ws_more", "a  {%- if t %} b {% endif -%}  c\n  {%- for x in items -%}\n  [{{ x }}]\n  {%- endfor %}\n  {% if t %}\n\n x\n {% endif %}\n{{ n }}   {# c #}   {{ n }}\n    {#- c2 #}\n    {{ n }} {% if t -%}   \n  y {%- endif %}\n{% macro q() %}\n  m\n{% endmacro %}\n{{ q() }}|{{ q() }}\n{% set v = 1 %}\n  {{ v }}\n", V),
    ("ws_crlf", "a\r\n{% if t %}\r\n  b\r\n{% endif %}\r\nc\r\n", V),
    ("ws_trailing_newline", "x\n", V),
    ("ws_two_trailing", "x\n\n", V),
    ("ws_first_line", "   {% if t %}a{% endif %}\n\t{% if t %}b{% endif %}", V),
    ("ws_between_tags", "{% if t %}   {% if t %}x{% endif %}   {% endif %}|{% for x in items %}  {{ x }}  {% endfor %}", V),
    ("loop_in_macro_break", "{% macro m() %}{% for x in items %}{% if loop.index > 1 %}{% break %}{% endif %}{{ x }}{% endfor %}{% endmacro %}{% for y in [1, 2] %}{{ m() }}{% endfor %}", V),
    ("string_multiply_concat", "{{ '-' * 3 ~ '>' }}{{ ('ab' ~ 'c') * 2 }}{{ [0] * 3 }}{{ (1, 2) + (3,) }}", V),
    ("loop_attrs_filtered", "{% for x in nums if x is odd %}{{ loop.index }}{{ loop.length }}{{ loop.last }}{{ loop.revindex }},{% endfor %}", V),
    ("if_elif", "{% for v in [0, 1, 2, 3] %}{% if v == 0 %}zero{% elif v == 1 %}one{% elif v == 2 %}two{% else %}many{% endif %} {% endfor %}", V),
    ("tojson_nested_unicode", "{{ {'k': 'é', 'list': ['\\n', '\"', '\\\\', '\\u2028']}|tojson }}|{{ [none, true, 1, 2.0, 'x']|tojson(indent=1) }}|{{ {'b': 1, 'a': {'d': 2, 'c': 3}}|tojson(sort_keys=true, indent=2) }}", V),
    ("err_undefined_call_method", "{{ d.nokey.strip() }}", V),
    ("err_divzero", "{{ 1 / 0 }}", V),
    ("err_compare", "{{ 1 < 'a' }}", V),
]
FEATURES += [
    ("err_undefined_int", "{{ missing|int }}", V),
    ("err_undefined_indent", "{{ missing|indent }}", V),
]
