package dev.tandem.spin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.data.DataFormatException;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One iteration's synthetic preference pairs on disk, {@code pairs.jsonl}: one JSON object a line in
 * TRL's preference form ({@code prompt}, {@code chosen} the real response, {@code rejected} the
 * generated one, so {@code tandem dpo} can read the file too) plus what resuming needs: {@code
 * source} (the record the prompt comes from), {@code rejected_ids} (the exact
 * generated token ids, end token included when the opponent ended its response), {@code
 * generated_by} (the iteration whose model generated it) and {@code ref_chosen}/{@code ref_rejected}
 * (the reference log-probs). An opponent that answered nothing at all has {@code "rejected": ""}
 * (its response is the end token alone), which is a legitimate pair here but which {@code tandem dpo}
 * rejects as an empty response, as it does in any preference data.
 */
final class SyntheticPairs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SyntheticPairs() {}

  /** A real example paired with a generated response, as stored. */
  record Entry(int generatedBy, PreferencePair pair) {}

  /** The rejected example: the real example's prompt followed by the generated ids. */
  static Example generated(Example real, int[] generatedIds) {
    return Example.of(real.prompt(), generatedIds, real.source());
  }

  static void write(Path file, List<Entry> entries, Tokenizer tokenizer) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      PreferencePair p = e.pair();
      ObjectNode n = JSON.createObjectNode();
      n.put("prompt", tokenizer.decode(p.chosen().prompt()));
      n.put("chosen", tokenizer.decode(p.chosen().completion()));
      n.put("rejected", tokenizer.decode(p.rejected().completion()));
      n.put("source", p.source());
      n.put("generated_by", e.generatedBy());
      ArrayNode ids = n.putArray("rejected_ids");
      for (int id : p.rejected().completion()) {
        ids.add(id);
      }
      n.put("ref_chosen", p.refChosen());
      n.put("ref_rejected", p.refRejected());
      sb.append(JSON.writeValueAsString(n)).append('\n');
    }
    AtomicFiles.writeString(file, sb.toString());
  }

  /**
   * Reads the pairs back against the same data they were made from.
   *
   * @throws DataFormatException naming the line when it is malformed or its prompt is not the
   *     data's (the data changed since the run started)
   */
  static List<Entry> read(Path file, List<Example> data) throws IOException {
    Map<String, Example> bySource = new HashMap<>();
    data.forEach(e -> bySource.put(e.source(), e));
    List<Entry> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String where = file + ":" + lineNo;
      try {
        JsonNode n = JSON.readTree(line);
        Example real = bySource.get(n.get("source").asText());
        if (real == null) {
          throw new DataFormatException(
              where, "pair of " + n.get("source").asText() + " does not match the data: run with the data this run started with");
        }
        JsonNode idsNode = n.get("rejected_ids");
        int[] ids = new int[idsNode.size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = idsNode.get(i).asInt();
        }
        PreferencePair p =
            PreferencePair.of(real, generated(real, ids))
                .withReference((float) n.get("ref_chosen").asDouble(), (float) n.get("ref_rejected").asDouble());
        out.add(new Entry(n.get("generated_by").asInt(), p));
      } catch (NullPointerException | IOException e) {
        throw new DataFormatException(where, "malformed synthetic pair (delete the file to generate again): " + e.getMessage(), e);
      }
    }
    return out;
  }
}
