package dev.tandem.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataTest {
  @TempDir Path dir;

  @Test
  void theWholeTrainSampleTokenisesAndFitsOrIsReported() throws IOException {
    Path train = SampleData.extract(SampleData.TRAIN, dir);
    List<DataRecord> records = JsonlDataset.read(train);
    assertEquals(2000, records.size());
    assertTrue(records.stream().allMatch(r -> r instanceof DataRecord.PromptCompletion));
    assertEquals(new DataRecord.PromptCompletion(
        "Define physical entity (noun).", "an entity that has physical existence", train + ":1"), records.get(0));

    PromptTemplate template = new PromptTemplate(new ByteTokenizer());
    SkipReport skips = SkipReport.collecting();
    List<Example> examples = JsonlDataset.toExamples(records, template, 256, skips);
    assertEquals(2000, examples.size() + skips.total());
    int longest = examples.stream().mapToInt(e -> e.tokens().length - 1).max().orElseThrow();
    assertTrue(longest <= 256, "longest kept example has " + longest + " inputs");
    // three definitions of the sample are longer than 256 bytes: reported, not dropped silently
    assertEquals(
        "skipped 3 examples: 3 longer than the context of 256 tokens (" + train + ":588, " + train + ":686, "
            + train + ":1335)",
        skips.toString());

    Batcher batcher = new Batcher(32, Batcher.defaultBuckets(256), template.tokenizer().padId());
    int targets = 0;
    for (Batch b : batcher.batches(examples, EpochOrder.shuffled(examples.size(), 1, 0))) {
      targets += b.targetTokens();
    }
    assertEquals(examples.stream().mapToInt(Example::completionLength).sum(), targets);
  }

  @Test
  void devSampleAndLicenceAreBundled() throws IOException {
    assertEquals(500, JsonlDataset.read(SampleData.extract(SampleData.DEV, dir)).size());
    try (InputStream in = SampleData.open(SampleData.LICENSE)) {
      assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("WordNet 3.0 Copyright 2006"));
    }
    assertThrows(IllegalArgumentException.class, () -> SampleData.open("../../io/Safetensors.class"));
  }
}
