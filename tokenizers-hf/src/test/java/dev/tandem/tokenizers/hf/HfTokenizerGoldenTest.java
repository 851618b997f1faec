package dev.tandem.tokenizers.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DJL's ids equal those of an independent implementation ({@code @lenml/tokenizers}, see
 * src/test/js), and decoding round-trips.
 */
class HfTokenizerGoldenTest {
  private static final Map<String, HfTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

  static HfTokenizer tokenizer(String name) {
    return TOKENIZERS.computeIfAbsent(
        name,
        n -> {
          try {
            return HfTokenizer.load(TestDirs.shared(n));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  static Stream<Arguments> cases() throws IOException {
    JsonNode golden;
    try (InputStream in = HfTokenizerGoldenTest.class.getResourceAsStream("/golden.json")) {
      golden = new ObjectMapper().readTree(in);
    }
    List<Arguments> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = golden.get("tokenizers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> t = it.next();
      JsonNode plain = t.getValue().get("plain");
      JsonNode withSpecials = t.getValue().get("withSpecials");
      for (Iterator<String> names = plain.fieldNames(); names.hasNext(); ) {
        String text = names.next();
        out.add(Arguments.of(t.getKey(), text, ints(plain.get(text)), ints(withSpecials.get(text))));
      }
    }
    return out.stream();
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).intValue();
    }
    return out;
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void idsEqualGoldenAndDecodeRoundTrips(String name, String text, int[] plain, int[] withSpecials) {
    HfTokenizer tok = tokenizer(name);
    int[] encoded = tok.encode(text);
    assertArrayEquals(plain, encoded, "encode");
    assertArrayEquals(withSpecials, tok.encodeWithSpecials(text), "encodeWithSpecials");
    Set<Integer> special = Set.copyOf(tok.specialTokens().values());
    for (int id : encoded) {
      assertFalse(special.contains(id), "encode produced special id " + id);
    }
    assertEquals(text, tok.decode(encoded), "decode(encode(text))");
    String stripped = text;
    for (String s : tok.specialTokens().keySet()) {
      stripped = stripped.replace(s, "");
    }
    if (name.equals("qwen3")) { // byte-level: exact; tiny-llama's decoder strips a leading space after a special
      assertEquals(stripped, tok.decode(tok.encodeWithSpecials(text)), "decode skips specials");
    }
  }
}
