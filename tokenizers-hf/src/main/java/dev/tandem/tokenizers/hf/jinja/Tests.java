package dev.tandem.tokenizers.hf.jinja;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja's tests ({@code x is name}). */
final class Tests {
  private Tests() { }

  static final Set<String> NAMES = Set.of("defined", "undefined", "none", "string", "number",
      "integer", "float", "mapping", "sequence", "iterable", "boolean", "true", "false", "even",
      "odd", "divisibleby", "eq", "equalto", "ne", "lt", "le", "gt", "ge", "lessthan",
      "greaterthan", "in", "callable", "sameas", "lower", "upper", "escaped", "filter", "test");

  static boolean apply(String name, Object v, List<Object> args) {
    Object arg = args.isEmpty() ? null : args.get(0);
    return switch (name) {
      case "defined" -> !(v instanceof Undefined);
      case "undefined" -> v instanceof Undefined;
      case "none" -> v == null;
      case "string" -> v instanceof CharSequence;
      case "number" -> Values.isNumber(v);
      case "integer" -> Values.isInt(v);
      case "float" -> Values.isFloat(v);
      case "mapping" -> v instanceof Map;
      case "sequence" -> v instanceof List || v instanceof Map || v instanceof CharSequence
          || v instanceof Undefined;
      case "iterable" -> v instanceof List || v instanceof Map || v instanceof CharSequence
          || v instanceof Undefined;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "even", "odd" -> {
        if (!Values.isInt(v) && !(v instanceof Boolean)) {
          if (v instanceof Undefined u) {
            throw u.fail();
          }
          throw new EvalError("'" + name + "' test needs an integer, not " + Values.typeName(v));
        }
        yield (Math.floorMod(Values.toLong(v), 2) == 0) == name.equals("even");
      }
      case "divisibleby" -> {
        if (!Values.isNumber(v) || !Values.isNumber(arg)) {
          throw new EvalError("divisibleby needs numbers");
        }
        if (Values.toDouble(arg) == 0) {
          throw new EvalError("integer division or modulo by zero");
        }
        yield Values.toDouble(v) % Values.toDouble(arg) == 0;
      }
      case "eq", "equalto" -> Values.eq(v, arg);
      case "ne" -> !Values.eq(v, arg);
      case "lt", "lessthan" -> Values.compare(v, arg, "<") < 0;
      case "le" -> Values.compare(v, arg, "<=") <= 0;
      case "gt", "greaterthan" -> Values.compare(v, arg, ">") > 0;
      case "ge" -> Values.compare(v, arg, ">=") >= 0;
      case "in" -> Ops.contains(arg, v);
      case "callable" -> v instanceof JinjaCallable;
      case "sameas" -> v == arg || (v instanceof Boolean && v.equals(arg))
          || (v instanceof Undefined && arg instanceof Undefined);
      case "lower" -> v instanceof CharSequence s && s.toString().equals(s.toString().toLowerCase());
      case "upper" -> v instanceof CharSequence s && s.toString().equals(s.toString().toUpperCase());
      case "escaped" -> false;
      case "filter" -> Filters.NAMES.contains(Values.str(v));
      case "test" -> NAMES.contains(Values.str(v));
      default -> throw new EvalError("No test named '" + name + "'.");
    };
  }
}
