package dev.tandem.api.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {
  final ByteTokenizer tok = new ByteTokenizer();

  @Test
  void specialsHaveFixedIds() {
    assertEquals(261, tok.vocabSize());
    assertEquals(256, tok.eosId());
    assertEquals(257, tok.padId());
    assertEquals(
        List.of(
            Map.entry("<|endoftext|>", 256),
            Map.entry("<|pad|>", 257),
            Map.entry("<|user|>", 258),
            Map.entry("<|assistant|>", 259),
            Map.entry("<|system|>", 260)),
        List.copyOf(tok.specialTokens().entrySet()));
    assertEquals(259, tok.specialId("<|assistant|>"));
    assertEquals("<|system|>", tok.specialName(260));
    assertTrue(tok.isSpecial(256));
    assertFalse(tok.isSpecial(255));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.specialId("<|tool|>"));
    assertTrue(e.getMessage().contains("<|tool|>"), e.getMessage());
  }

  @Test
  void encodesUtf8BytesAndDecodesThemBack() {
    assertArrayEquals(new int[] {0x68, 0x69}, tok.encode("hi"));
    assertArrayEquals(new int[] {0xc3, 0xa9}, tok.encode("\u00e9"));
    String text = "Caf\u00e9 \u65e5\u672c \ud83d\ude00 tab\tnewline\n";
    assertEquals(text, tok.decode(tok.encode(text)));
    assertArrayEquals(new int[0], tok.encode(""));
  }

  @Test
  void specialNamesInTextAreJustBytes() {
    int[] ids = tok.encode("<|user|>");
    assertEquals(8, ids.length);
    for (int id : ids) {
      assertTrue(id < 256);
    }
  }

  @Test
  void decodeDropsSpecialsAndReplacesMalformedBytes() {
    assertEquals("ab", tok.decode(new int[] {258, 'a', 259, 'b', 256, 257}));
    assertEquals("a\ufffdb", tok.decode(new int[] {'a', 0xff, 'b'}));
    assertEquals("\ufffd", tok.decode(new int[] {0xe6, 0x97})); // truncated 3-byte sequence
    assertEquals("", tok.decode(new int[0]));
    assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {261}));
    assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
  }

  @Test
  void extraSpecialsFollowTheStandardOnes() {
    ByteTokenizer t = new ByteTokenizer(List.of("<|tool|>", "<|sep|>"));
    assertEquals(263, t.vocabSize());
    assertEquals(261, t.specialId("<|tool|>"));
    assertEquals(262, t.specialId("<|sep|>"));
    assertEquals(List.of("<|tool|>", "<|sep|>"), t.extraSpecials());
    assertEquals("x", t.decode(new int[] {262, 'x', 261}));
    assertThrows(IllegalArgumentException.class, () -> new ByteTokenizer(List.of("<|pad|>")));
    assertThrows(IllegalArgumentException.class, () -> new ByteTokenizer(List.of(" ")));
    assertEquals(new ByteTokenizer(List.of("<|tool|>", "<|sep|>")), t);
    assertFalse(t.equals(tok));
  }
}
