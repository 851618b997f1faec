package dev.tandem.tokenizers.hf.jinja;

import dev.tandem.tokenizers.hf.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a template into tokens as Jinja's lexer does with {@code trim_blocks=True,
 * lstrip_blocks=True}: whitespace control ({@code -}, {@code +}), comments and raw blocks are
 * resolved here, so the parser sees text and tag contents only.
 */
final class Lexer {
  private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*([-+]?)%\\}");
  private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%\\}");
  private static final Pattern NUMBER = Pattern.compile(
      "(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)?");
  private static final String[] OPERATORS = {
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[",
    "]", "{", "}", ",", ".", ":", "|", ";"
  };

  private final String src;
  private final String name;
  private final int[] lineStarts;
  private final List<Token> out = new ArrayList<>();
  private int pos;
  private boolean lineStarting = true;

  private Lexer(String source, String name) {
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1); // keep_trailing_newline=False
    }
    this.src = s;
    this.name = name;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  static List<Token> tokenize(String source, String name) {
    Lexer lexer = new Lexer(source, name);
    lexer.run();
    return lexer.out;
  }

  private int lineOf(int p) {
    int i = Arrays.binarySearch(lineStarts, p);
    return i >= 0 ? i + 1 : -i - 1;
  }

  private int columnOf(int p) {
    return p - lineStarts[lineOf(p) - 1] + 1;
  }

  private TemplateException error(int p, String what) {
    return Parser.syntaxError(name, lineOf(p), columnOf(p), what);
  }

  private void add(Kind kind, String text, Object value, int p) {
    out.add(new Token(kind, text, value, lineOf(p), columnOf(p)));
  }

  private void run() {
    while (true) {
      int i = nextTag(pos);
      String text = src.substring(pos, i < 0 ? src.length() : i);
      if (i < 0) {
        emitText(text, pos);
        break;
      }
      char kind = src.charAt(i + 1);
      char mod = i + 2 < src.length() ? src.charAt(i + 2) : 0;
      Matcher raw = kind == '%' ? RAW_BEGIN.matcher(src).region(i, src.length()) : null;
      boolean isRaw = raw != null && raw.lookingAt();
      if (mod == '-') {
        text = text.stripTrailing();
      } else if (mod != '+' && kind != '{') {
        text = lstrip(text);
      }
      emitText(text, pos);
      if (kind == '#') {
        int j = src.indexOf("#}", i + 2);
        if (j < 0) {
          throw error(i, "missing end of comment tag");
        }
        endTag(j + 2, j - 1 > i + 2 ? src.charAt(j - 1) : 0, true);
      } else if (isRaw) {
        rawBlock(i, raw);
      } else {
        tag(i, kind, mod);
      }
    }
    add(Kind.EOF, "", null, src.length());
  }

  private void emitText(String text, int p) {
    if (!text.isEmpty()) {
      add(Kind.TEXT, text, text, p);
    }
  }

  private String lstrip(String text) {
    int l = text.lastIndexOf('\n') + 1;
    if (l > 0 || lineStarting) {
      for (int k = l; k < text.length(); k++) {
        char c = text.charAt(k);
        if (c != ' ' && c != '\t') {
          return text;
        }
      }
      return text.substring(0, l);
    }
    return text;
  }

  private int nextTag(int from) {
    int i = from;
    while (true) {
      i = src.indexOf('{', i);
      if (i < 0 || i + 1 >= src.length()) {
        return -1;
      }
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
      i++;
    }
  }

  /** Handles what follows an end tag at {@code p}: '-' strips whitespace, trim_blocks a newline. */
  private void endTag(int p, char mod, boolean trim) {
    pos = p;
    if (mod == '-') {
      while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
        pos++;
      }
      lineStarting = pos > p && src.charAt(pos - 1) == '\n';
    } else if (mod != '+' && trim && pos < src.length() && src.charAt(pos) == '\n') {
      pos++;
      lineStarting = true;
    } else {
      lineStarting = false;
    }
  }

  private void rawBlock(int i, Matcher begin) {
    endTag(begin.end(), begin.group(2).isEmpty() ? 0 : begin.group(2).charAt(0), true);
    Matcher end = RAW_END.matcher(src);
    if (!end.find(pos)) {
      throw error(i, "missing end of raw directive");
    }
    String body = src.substring(pos, end.start());
    String mod = end.group(1);
    if (mod.equals("-")) {
      body = body.stripTrailing();
    } else if (!mod.equals("+")) {
      body = lstrip(body);
    }
    emitText(body, pos);
    endTag(end.end(), end.group(2).isEmpty() ? 0 : end.group(2).charAt(0), true);
  }

  private void tag(int i, char kind, char mod) {
    boolean isVar = kind == '{';
    add(isVar ? Kind.VAR_BEGIN : Kind.BLOCK_BEGIN, isVar ? "{{" : "{%", null, i);
    int p = i + 2 + (mod == '-' || mod == '+' ? 1 : 0);
    int depth = 0;
    String close = isVar ? "}}" : "%}";
    while (true) {
      while (p < src.length() && Character.isWhitespace(src.charAt(p))) {
        p++;
      }
      if (p >= src.length()) {
        throw error(i, "unexpected end of template: missing '" + close + "'");
      }
      if (depth == 0) {
        char m = src.charAt(p);
        if ((m == '-' || (m == '+' && !isVar)) && src.startsWith(close, p + 1)) {
          add(isVar ? Kind.VAR_END : Kind.BLOCK_END, close, null, p);
          endTag(p + 3, m, !isVar);
          return;
        }
        if (src.startsWith(close, p)) {
          add(isVar ? Kind.VAR_END : Kind.BLOCK_END, close, null, p);
          endTag(p + 2, (char) 0, !isVar);
          return;
        }
      }
      char c = src.charAt(p);
      if (Character.isDigit(c)) {
        Matcher m = NUMBER.matcher(src).region(p, src.length());
        m.lookingAt();
        String t = m.group();
        String digits = t.replace("_", "");
        if (m.group(2) != null) {
          add(Kind.FLOAT, t, Double.parseDouble(digits), p);
        } else {
          try {
            add(Kind.INT, t, Long.parseLong(digits), p);
          } catch (NumberFormatException e) {
            throw error(p, "integer literal too large: " + t);
          }
        }
        p = m.end();
      } else if (Character.isLetter(c) || c == '_') {
        int q = p + 1;
        while (q < src.length()
            && (Character.isLetterOrDigit(src.charAt(q)) || src.charAt(q) == '_')) {
          q++;
        }
        add(Kind.NAME, src.substring(p, q), null, p);
        p = q;
      } else if (c == '\'' || c == '"') {
        p = string(p, c);
      } else {
        String op = null;
        for (String o : OPERATORS) {
          if (src.startsWith(o, p)) {
            op = o;
            break;
          }
        }
        if (op == null) {
          throw error(p, "unexpected char '" + c + "'");
        }
        if (op.equals("(") || op.equals("[") || op.equals("{")) {
          depth++;
        } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
          depth = Math.max(0, depth - 1);
        }
        add(Kind.OP, op, null, p);
        p += op.length();
      }
    }
  }

  private int string(int start, char quote) {
    StringBuilder sb = new StringBuilder();
    int p = start + 1;
    while (true) {
      if (p >= src.length()) {
        throw error(start, "unterminated string");
      }
      char c = src.charAt(p);
      if (c == quote) {
        add(Kind.STRING, src.substring(start, p + 1), sb.toString(), start);
        return p + 1;
      }
      if (c != '\\' || p + 1 >= src.length()) {
        sb.append(c);
        p++;
        continue;
      }
      char e = src.charAt(p + 1);
      p += 2;
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case '\\' -> sb.append('\\');
        case '\'' -> sb.append('\'');
        case '"' -> sb.append('"');
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'v' -> sb.append('\u000b');
        case '\n' -> { }
        case 'x', 'u', 'U' -> {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (p + n > src.length()) {
            throw error(p - 2, "truncated \\" + e + " escape");
          }
          try {
            sb.appendCodePoint(Integer.parseInt(src.substring(p, p + n), 16));
          } catch (IllegalArgumentException ex) {
            throw error(p - 2, "invalid \\" + e + " escape");
          }
          p += n;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int q = p - 1;
            int end = Math.min(q + 3, src.length());
            int v = 0;
            while (q < end && src.charAt(q) >= '0' && src.charAt(q) <= '7') {
              v = v * 8 + (src.charAt(q) - '0');
              q++;
            }
            sb.append((char) v);
            p = q;
          } else {
            sb.append('\\').append(e);
          }
        }
      }
    }
  }
}
