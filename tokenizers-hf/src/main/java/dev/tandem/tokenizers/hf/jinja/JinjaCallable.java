package dev.tandem.tokenizers.hf.jinja;

import java.util.List;
import java.util.Map;

/** Something a template may call: a builtin, a macro, a bound string or dict method. */
interface JinjaCallable {
  Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs);
}
