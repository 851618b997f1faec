package dev.tandem.api.generate;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.Masks;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Batched generation for any {@link CausalLM} on any engine. Prompts are left-padded to a common
 * length (rounded up to a multiple of {@link #PROMPT_BUCKET} so a tracing engine sees few shapes),
 * the prompt runs once to fill a fixed-size KV cache, and each new token costs one decode step.
 * {@link #generateNaive} recomputes the whole sequence for every token: the reference the cache is
 * checked and benchmarked against.
 */
public final class Generator implements AutoCloseable {
  /** Prompt lengths are padded up to a multiple of this. */
  public static final int PROMPT_BUCKET = 16;

  private final Engine engine;
  private final CausalLM model;
  private final int eosId;
  private final int padId;
  private final int tokenizerIds;
  private final CompiledFunction forward;
  private final CompiledFunction prefill;
  private final CompiledFunction decode;
  private long generatedTokens;
  private long nanos;

  public Generator(Engine engine, CausalLM model, Parameters params, int eosId, int padId) {
    this(engine, model, params, eosId, padId, Integer.MAX_VALUE);
  }

  /**
   * A generator that picks only ids below {@code tokenizerIds}: a checkpoint's vocabulary is often
   * padded past its tokenizer's (Qwen3: 151,936 rows for 151,669 tokens), and an id without a token
   * could not be decoded.
   */
  public Generator(Engine engine, CausalLM model, Parameters params, int eosId, int padId, int tokenizerIds) {
    this.tokenizerIds = tokenizerIds;
    this.engine = engine;
    this.model = model;
    this.eosId = eosId;
    this.padId = padId;
    // inputs: ids [B,T], positions [B,T], bias [B,1,T,T]; output: last logits [B,V]
    this.forward =
        engine.compile(
            params,
            (ops, p, in) ->
                List.of(lastPosition(ops, model.forward(ops, p, in.get(0), in.get(1), in.get(2)))));
    // inputs: as forward, plus a [S] tensor whose length is the cache size; outputs: logits, cache...
    this.prefill =
        engine.compile(
            params,
            (ops, p, in) -> {
              int slots = in.get(3).shape().dim(0);
              CausalLM.DecodeStep s = model.prefillLast(ops, p, in.get(0), in.get(1), in.get(2), slots);
              List<Tensor> out = new ArrayList<>();
              out.add(lastPosition(ops, s.logits()));
              out.addAll(s.cache());
              return out;
            });
    // inputs: ids [B,1], positions [B,1], bias [B,1,1,S], cache...
    this.decode =
        engine.compile(
            params,
            (ops, p, in) -> {
              CausalLM.DecodeStep s =
                  model.decode(ops, p, in.get(0), in.get(1), in.subList(3, in.size()), in.get(2));
              List<Tensor> out = new ArrayList<>();
              out.add(lastPosition(ops, s.logits()));
              out.addAll(s.cache());
              return out;
            });
  }

  private static Tensor lastPosition(dev.tandem.api.tensor.TensorOps ops, Tensor logits) {
    int t = logits.shape().dim(1);
    return ops.reshape(ops.slice(logits, 1, t - 1, t), logits.shape().dim(0), logits.shape().dim(2));
  }

  /**
   * Generates a continuation for every prompt, {@code batchSize} prompts at a time (prompts of
   * similar length are batched together). Returns the new tokens of each prompt, in input order,
   * without the end-of-sequence token.
   */
  public List<int[]> generate(List<int[]> prompts, SamplingConfig config, int batchSize) {
    return inBatches(prompts, config, batchSize, true);
  }

  /** As {@link #generate} but recomputing the whole sequence for every new token. */
  public List<int[]> generateNaive(List<int[]> prompts, SamplingConfig config, int batchSize) {
    return inBatches(prompts, config, batchSize, false);
  }

  /** Tokens generated since construction (including the end-of-sequence tokens). */
  public long generatedTokens() {
    return generatedTokens;
  }

  /** Generated tokens per second of generation time since construction. */
  public double tokensPerSecond() {
    return nanos == 0 ? 0 : generatedTokens / (nanos / 1e9);
  }

  private List<int[]> inBatches(List<int[]> prompts, SamplingConfig config, int batchSize, boolean cached) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1");
    }
    int ctx = model.config().nPositions();
    for (int i = 0; i < prompts.size(); i++) {
      int n = prompts.get(i).length;
      if (n == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty");
      }
      if (n + config.maxNewTokens() > ctx) {
        throw new IllegalArgumentException(
            "prompt " + i + " has " + n + " tokens; with max-new-tokens " + config.maxNewTokens()
                + " it exceeds the model's context of " + ctx + " (shorten it or lower max-new-tokens)");
      }
    }
    Integer[] order = IntStream.range(0, prompts.size()).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt(i -> prompts.get(i).length));
    int[][] out = new int[prompts.size()][];
    Sampler sampler = new Sampler(config);
    long t0 = System.nanoTime();
    for (int from = 0; from < order.length; from += batchSize) {
      int to = Math.min(order.length, from + batchSize);
      List<int[]> chunk = new ArrayList<>();
      for (int i = from; i < to; i++) {
        chunk.add(prompts.get(order[i]));
      }
      List<int[]> res = cached ? runCached(chunk, config, sampler) : runNaive(chunk, config, sampler);
      for (int i = from; i < to; i++) {
        out[order[i]] = res.get(i - from);
      }
    }
    nanos += System.nanoTime() - t0;
    return Arrays.asList(out);
  }

  private List<int[]> runCached(List<int[]> prompts, SamplingConfig config, Sampler sampler) {
    int b = prompts.size();
    int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(1);
    int ctx = model.config().nPositions();
    int tp = Math.min(roundUp(longest, PROMPT_BUCKET), ctx);
    int slots = tp + config.maxNewTokens();
    Rows rows = Rows.leftPadded(prompts, tp, padId);

    List<Tensor> state;
    try (Tensor ids = engine.upload(rows.ids());
        Tensor pos = engine.upload(rows.positions());
        Tensor bias = engine.upload(Masks.causalWithPadding(rows.padding()));
        Tensor slotShape = engine.upload(HostTensor.zeros(slots))) {
      state = prefill.call(List.of(ids, pos, bias, slotShape));
    }
    Progress progress = new Progress(b, config.maxNewTokens());
    // visible[r][s]: slot s of the window holds a real token of row r (the prompt sits at the end)
    boolean[][] visible = new boolean[b][slots];
    for (int r = 0; r < b; r++) {
      for (int s = 0; s < tp; s++) {
        visible[r][slots - tp + s] = !rows.padding()[r][s];
      }
    }
    try {
      for (int step = 0; step < config.maxNewTokens(); step++) {
        HostTensor logits = engine.download(state.get(0));
        int[] next = progress.choose(logits, sampler, eosId, padId, tokenizerIds);
        if (progress.allDone() || step == config.maxNewTokens() - 1) {
          break;
        }
        int[] positions = new int[b];
        float[] bias = new float[b * slots];
        for (int r = 0; r < b; r++) {
          positions[r] = rows.lengths()[r] + step;
          System.arraycopy(visible[r], 1, visible[r], 0, slots - 1);
          visible[r][slots - 1] = true;
          for (int s = 0; s < slots; s++) {
            bias[r * slots + s] = visible[r][s] ? 0f : Masks.BLOCKED;
          }
        }
        List<Tensor> uploaded =
            List.of(
                engine.upload(HostTensor.ofInts(next, b, 1)),
                engine.upload(HostTensor.ofInts(positions, b, 1)),
                engine.upload(HostTensor.of(bias, b, 1, 1, slots)));
        List<Tensor> in = new ArrayList<>(uploaded);
        in.addAll(state.subList(1, state.size()));
        List<Tensor> nextState;
        try {
          nextState = decode.call(in);
        } finally {
          uploaded.forEach(Tensor::close);
        }
        state.forEach(Tensor::close);
        state = nextState;
      }
    } finally {
      state.forEach(Tensor::close);
    }
    generatedTokens += progress.generated();
    return progress.outputs();
  }

  private List<int[]> runNaive(List<int[]> prompts, SamplingConfig config, Sampler sampler) {
    int b = prompts.size();
    Progress progress = new Progress(b, config.maxNewTokens());
    List<int[]> seqs = new ArrayList<>(prompts);
    for (int step = 0; step < config.maxNewTokens(); step++) {
      int longest = seqs.stream().mapToInt(p -> p.length).max().orElse(1);
      Rows rows = Rows.leftPadded(seqs, longest, padId);
      List<Tensor> out;
      try (Tensor ids = engine.upload(rows.ids());
          Tensor pos = engine.upload(rows.positions());
          Tensor bias = engine.upload(Masks.causalWithPadding(rows.padding()))) {
        out = forward.call(List.of(ids, pos, bias));
      }
      HostTensor logits;
      try {
        logits = engine.download(out.get(0));
      } finally {
        out.forEach(Tensor::close);
      }
      int[] next = progress.choose(logits, sampler, eosId, padId, tokenizerIds);
      if (progress.allDone()) {
        break;
      }
      for (int r = 0; r < b; r++) {
        int[] s = Arrays.copyOf(seqs.get(r), seqs.get(r).length + 1);
        s[s.length - 1] = next[r];
        seqs.set(r, s);
      }
    }
    generatedTokens += progress.generated();
    return progress.outputs();
  }

  private static int roundUp(int n, int m) {
    return (n + m - 1) / m * m;
  }

  @Override
  public void close() {
    forward.close();
    prefill.close();
    decode.close();
  }
}
