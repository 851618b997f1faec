package dev.tandem.tokenizers.hf.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whitelisted Python methods of strings, dicts and lists. Mutating methods are what Jinja's
 * immutable sandbox makes them: undefined.
 */
final class Methods {
  private Methods() { }

  private static final Set<String> UNSAFE_DICT =
      Set.of("clear", "pop", "popitem", "setdefault", "update");
  private static final Set<String> UNSAFE_LIST =
      Set.of("append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear");

  /** A bound method, an undefined for an unsafe one, or null when {@code attr} is no method. */
  static Object bind(Object obj, String attr) {
    if (obj instanceof CharSequence s) {
      return stringMethod(s.toString(), attr);
    }
    if (obj instanceof Map<?, ?> m) {
      if (UNSAFE_DICT.contains(attr)) {
        return unsafe(obj, attr);
      }
      return dictMethod(m, attr);
    }
    if (obj instanceof List<?> l) {
      if (UNSAFE_LIST.contains(attr)) {
        return unsafe(obj, attr);
      }
      return listMethod(l, attr);
    }
    return null;
  }

  private static Undefined unsafe(Object obj, String attr) {
    return new Undefined("access to attribute '" + attr + "' of '" + Values.typeName(obj)
        + "' object is unsafe.");
  }

  private static Object arg(List<Object> args, int i, Object dflt) {
    return i < args.size() ? args.get(i) : dflt;
  }

  private static String strArg(List<Object> args, int i, String method) {
    Object o = arg(args, i, null);
    if (!(o instanceof CharSequence)) {
      throw new EvalError(method + "() argument must be str, not " + Values.typeName(o));
    }
    return o.toString();
  }

  private static JinjaCallable dictMethod(Map<?, ?> m, String attr) {
    return switch (attr) {
      case "items" -> (in, a, k) -> {
        List<Object> r = new ArrayList<>();
        m.forEach((key, v) -> r.add(Tuple.of(key, v)));
        return r;
      };
      case "keys" -> (in, a, k) -> new ArrayList<Object>(m.keySet());
      case "values" -> (in, a, k) -> new ArrayList<Object>(m.values());
      case "get" -> (in, a, k) -> {
        Object key = Values.findKey(m, arg(a, 0, null));
        return key != Values.NO_KEY ? m.get(key) : arg(a, 1, k.get("default"));
      };
      case "copy" -> (in, a, k) -> new LinkedHashMap<Object, Object>(m);
      default -> null;
    };
  }

  private static JinjaCallable listMethod(List<?> l, String attr) {
    return switch (attr) {
      case "count" -> (in, a, k) -> l.stream().filter(x -> Values.eq(x, arg(a, 0, null))).count();
      case "index" -> (in, a, k) -> {
        for (int i = 0; i < l.size(); i++) {
          if (Values.eq(l.get(i), arg(a, 0, null))) {
            return (long) i;
          }
        }
        throw new EvalError(Values.repr(arg(a, 0, null)) + " is not in list");
      };
      case "copy" -> (in, a, k) -> new ArrayList<Object>(l);
      default -> null;
    };
  }

  private static Object stringMethod(String s, String attr) {
    return switch (attr) {
      case "startswith", "endswith" -> (JinjaCallable) (in, a, k) -> {
        Object p = arg(a, 0, null);
        List<Object> options = p instanceof Tuple t ? t : List.of(p == null ? "" : p);
        for (Object o : options) {
          if (!(o instanceof CharSequence)) {
            throw new EvalError(attr + " first arg must be str or a tuple of str, not "
                + Values.typeName(o));
          }
          if (attr.equals("startswith") ? s.startsWith(o.toString()) : s.endsWith(o.toString())) {
            return true;
          }
        }
        return false;
      };
      case "strip", "lstrip", "rstrip" -> (JinjaCallable) (in, a, k) ->
          strip(s, arg(a, 0, null), !attr.equals("rstrip"), !attr.equals("lstrip"));
      case "split", "rsplit" -> (JinjaCallable) (in, a, k) -> split(s,
          arg(a, 0, k.get("sep")), arg(a, 1, k.getOrDefault("maxsplit", -1L)),
          attr.equals("rsplit"));
      case "splitlines" -> (JinjaCallable) (in, a, k) -> {
        List<Object> r = new ArrayList<>(List.of((Object[]) s.split("\r\n|\r|\n", -1)));
        if (!r.isEmpty() && "".equals(r.get(r.size() - 1))) {
          r.remove(r.size() - 1);
        }
        return r;
      };
      case "replace" -> (JinjaCallable) (in, a, k) -> replace(in, s, strArg(a, 0, attr),
          strArg(a, 1, attr), Values.toLong(arg(a, 2, -1L)));
      case "upper" -> (JinjaCallable) (in, a, k) -> s.toUpperCase(java.util.Locale.ROOT);
      case "lower" -> (JinjaCallable) (in, a, k) -> s.toLowerCase(java.util.Locale.ROOT);
      case "title" -> (JinjaCallable) (in, a, k) -> pyTitle(s);
      case "capitalize" -> (JinjaCallable) (in, a, k) -> capitalize(s);
      case "find" -> (JinjaCallable) (in, a, k) -> (long) s.indexOf(strArg(a, 0, attr));
      case "rfind" -> (JinjaCallable) (in, a, k) -> (long) s.lastIndexOf(strArg(a, 0, attr));
      case "count" -> (JinjaCallable) (in, a, k) -> {
        String sub = strArg(a, 0, attr);
        if (sub.isEmpty()) {
          return (long) s.length() + 1;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
          n++;
        }
        return n;
      };
      case "join" -> (JinjaCallable) (in, a, k) -> {
        StringBuilder sb = new StringBuilder();
        List<Object> items = Values.iterate(arg(a, 0, null));
        for (int i = 0; i < items.size(); i++) {
          if (!(items.get(i) instanceof CharSequence)) {
            throw new EvalError("sequence item " + i + ": expected str instance, "
                + Values.typeName(items.get(i)) + " found");
          }
          if (i > 0) {
            sb.append(s);
          }
          sb.append(items.get(i));
          in.charge(sb.length());
        }
        return sb.toString();
      };
      case "isdigit" -> (JinjaCallable) (in, a, k) ->
          !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      case "isalpha" -> (JinjaCallable) (in, a, k) ->
          !s.isEmpty() && s.chars().allMatch(Character::isLetter);
      case "isspace" -> (JinjaCallable) (in, a, k) ->
          !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
      case "isupper" -> (JinjaCallable) (in, a, k) ->
          !s.equals(s.toLowerCase(java.util.Locale.ROOT)) && s.equals(s.toUpperCase());
      case "islower" -> (JinjaCallable) (in, a, k) ->
          !s.equals(s.toUpperCase(java.util.Locale.ROOT)) && s.equals(s.toLowerCase());
      default -> null;
    };
  }

  static boolean isPySpace(int c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || (c >= 0x1c && c <= 0x1f)
        || c == 0x85;
  }

  static String strip(String s, Object chars, boolean left, boolean right) {
    if (chars != null && !(chars instanceof CharSequence)) {
      throw new EvalError("strip arg must be None or str");
    }
    String set = chars == null ? null : chars.toString();
    int a = 0;
    int b = s.length();
    while (left && a < b && (set == null ? isPySpace(s.charAt(a)) : set.indexOf(s.charAt(a)) >= 0)) {
      a++;
    }
    while (right && b > a
        && (set == null ? isPySpace(s.charAt(b - 1)) : set.indexOf(s.charAt(b - 1)) >= 0)) {
      b--;
    }
    return s.substring(a, b);
  }

  static List<Object> split(String s, Object sep, Object maxObj, boolean fromRight) {
    long max = maxObj == null ? -1 : Values.toLong(maxObj);
    List<Object> r = new ArrayList<>();
    if (sep == null) {
      List<String> words = new ArrayList<>();
      int i = 0;
      int n = s.length();
      if (!fromRight) {
        while (i < n) {
          while (i < n && isPySpace(s.charAt(i))) {
            i++;
          }
          if (i >= n) {
            break;
          }
          if (max >= 0 && words.size() == max) {
            words.add(strip(s.substring(i), null, false, true));
            break;
          }
          int j = i;
          while (j < n && !isPySpace(s.charAt(j))) {
            j++;
          }
          words.add(s.substring(i, j));
          i = j;
        }
      } else {
        int j = n;
        while (j > 0) {
          while (j > 0 && isPySpace(s.charAt(j - 1))) {
            j--;
          }
          if (j == 0) {
            break;
          }
          if (max >= 0 && words.size() == max) {
            words.add(0, strip(s.substring(0, j), null, true, false));
            break;
          }
          int k = j;
          while (k > 0 && !isPySpace(s.charAt(k - 1))) {
            k--;
          }
          words.add(0, s.substring(k, j));
          j = k;
        }
      }
      r.addAll(words);
      return r;
    }
    String sp = sep.toString();
    if (sp.isEmpty()) {
      throw new EvalError("empty separator");
    }
    if (!fromRight) {
      int i = 0;
      while (true) {
        int j = s.indexOf(sp, i);
        if (j < 0 || (max >= 0 && r.size() == max)) {
          r.add(s.substring(i));
          return r;
        }
        r.add(s.substring(i, j));
        i = j + sp.length();
      }
    }
    int end = s.length();
    while (true) {
      int j = s.lastIndexOf(sp, end - sp.length());
      if (j < 0 || (max >= 0 && r.size() == max)) {
        r.add(0, s.substring(0, end));
        return r;
      }
      r.add(0, s.substring(j + sp.length(), end));
      end = j;
    }
  }

  static String replace(Interpreter in, String s, String old, String neu, long count) {
    StringBuilder sb = new StringBuilder();
    if (old.isEmpty()) {
      int n = 0;
      for (int i = 0; i <= s.length(); i++) {
        if (count < 0 || n < count) {
          sb.append(neu);
          n++;
        }
        if (i < s.length()) {
          sb.append(s.charAt(i));
        }
        in.charge(sb.length());
      }
      return sb.toString();
    }
    int i = 0;
    long n = 0;
    while (true) {
      int j = count >= 0 && n >= count ? -1 : s.indexOf(old, i);
      if (j < 0) {
        sb.append(s, i, s.length());
        break;
      }
      sb.append(s, i, j).append(neu);
      in.charge(sb.length());
      i = j + old.length();
      n++;
    }
    return in.charge(sb.toString());
  }

  static String pyTitle(String s) {
    StringBuilder sb = new StringBuilder();
    boolean prevCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetter(c)) {
        sb.append(prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
        prevCased = true;
      } else {
        sb.append(c);
        prevCased = false;
      }
    }
    return sb.toString();
  }

  static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    return s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
        + s.substring(1).toLowerCase(java.util.Locale.ROOT);
  }
}
