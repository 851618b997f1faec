package dev.tandem.spin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.data.DataFormatException;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.DataRecord;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.tokenizer.ByteTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An iteration's pairs survive a round trip through pairs.jsonl, exact token ids and references included. */
class SyntheticPairsTest {
  @TempDir Path dir;

  @Test
  void roundTripAndTrlReadability() throws Exception {
    ByteTokenizer tok = new ByteTokenizer();
    PromptTemplate template = new PromptTemplate(tok);
    Example real = template.completion("2+2=", "4", "train.jsonl:1");
    // a response cut at the token limit (no end token), with a byte that is not valid UTF-8 alone
    int[] generated = {'5', 0xC3};
    PreferencePair pair = PreferencePair.of(real, SyntheticPairs.generated(real, generated)).withReference(-1.5f, -2.25f);
    Path file = dir.resolve("pairs.jsonl");
    SyntheticPairs.write(file, List.of(new SyntheticPairs.Entry(3, pair)), tok);

    List<SyntheticPairs.Entry> back = SyntheticPairs.read(file, List.of(real));
    assertEquals(1, back.size());
    assertEquals(3, back.get(0).generatedBy());
    assertArrayEquals(pair.rejected().tokens(), back.get(0).pair().rejected().tokens());
    assertEquals(-2.25f, back.get(0).pair().refRejected());
    assertTrue(back.get(0).pair().chosen() == real);

    // the same file is TRL preference data
    DataRecord r = JsonlDataset.read(file).get(0);
    assertTrue(r instanceof DataRecord.Preference p && p.prompt().equals("2+2=") && p.chosen().equals("4"), r.toString());

    DataFormatException e =
        assertThrows(DataFormatException.class, () -> SyntheticPairs.read(file, List.of(template.completion("2+2=", "4", "other.jsonl:1"))));
    assertTrue(e.getMessage().startsWith(file + ":1: "), e.getMessage());
    Files.writeString(file, "{\"source\": \"train.jsonl:1\"}\n");
    assertThrows(DataFormatException.class, () -> SyntheticPairs.read(file, List.of(real)));
  }
}
