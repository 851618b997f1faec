package dev.tandem.api.bench;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One measurement at a time of a model on an engine, so that a caller can interleave them with another
 * program's (the PyTorch peer): a window of full fine-tuning steps (AdamW, random tokens), a prefill, cached
 * decoding at a batch size, and cached against naive decoding at 256 tokens of context. Every method
 * warms up on its first call (tracing, allocation) and then times one run.
 */
public final class ShapeBenchmark implements AutoCloseable {
  /** Prompt length of the decode measurement. */
  public static final int DECODE_PROMPT = 16;
  /** New tokens of the context-256 measurement. */
  public static final int CTX_NEW = 16;

  private final Engine engine;
  private final CausalLM model;
  private final Parameters params;
  private final int batch;
  private final int seqLen;
  private final int steps;
  private final int newTokens;
  private final Set<String> warm = new HashSet<>();
  private TrainStep trainStep;
  private Generator generator;
  private CompiledFunction forward;

  /**
   * @param steps training steps per call of {@link #trainTokensPerSecond} is {@code max(1, steps / 3)}
   * @param newTokens tokens generated per decode measurement
   */
  public ShapeBenchmark(Engine engine, CausalLM model, Parameters params, int batch, int seqLen, int steps, int newTokens) {
    this.engine = engine;
    this.model = model;
    this.params = params;
    this.batch = batch;
    this.seqLen = seqLen;
    this.steps = steps;
    this.newTokens = Math.max(2, Math.min(newTokens, model.config().nPositions() - DECODE_PROMPT));
  }

  /** Training tokens per second over {@code max(1, steps / 3)} steps of batch x seq tokens. */
  public double trainTokensPerSecond() {
    List<HostTensor> in = trainingBatch();
    if (trainStep == null) {
      SftObjective sft = new SftObjective();
      LossFunction loss = (ops, p, x) -> sft.loss(ops, model, p, x);
      trainStep = engine.trainStep(params, loss, AdamW.defaults(), new TrainStepOptions(1f));
      for (int i = 0; i < 2; i++) {
        trainStep.run(in, 1e-4f);
      }
    }
    int n = Math.max(1, steps / 3);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      trainStep.run(in, 1e-4f);
    }
    return (double) batch * seqLen * n / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * Runs {@code n} training steps of {@link #trainTokensPerSecond}'s batch (after its warm-up): the
   * work to hand to {@link dev.tandem.api.engine.Engine#profile}.
   */
  public void trainSteps(int n) {
    if (trainStep == null) {
      trainTokensPerSecond();
    }
    List<HostTensor> in = trainingBatch();
    for (int i = 0; i < n; i++) {
      trainStep.run(in, 1e-4f);
    }
  }

  /**
   * Forward-only tokens per second of the training loss (no gradient), same batch and steps as {@link
   * #trainTokensPerSecond}: with it, the share of a training step spent in the forward pass.
   */
  public double forwardTokensPerSecond() {
    int n = Math.max(1, steps / 3);
    return (double) batch * seqLen * n / runForward(1, n);
  }

  /**
   * Runs {@code n} calls of {@link #forwardTokensPerSecond}'s compiled forward (after its warm-up): the
   * work to hand to {@link dev.tandem.api.engine.Engine#profile}.
   */
  public void forwardCalls(int n) {
    runForward(forward == null ? 1 : 0, n);
  }

  /** Compiles the forward loss once, calls it {@code warmups} then {@code n} times; seconds of the {@code n}. */
  private double runForward(int warmups, int n) {
    if (forward == null) {
      SftObjective sft = new SftObjective();
      forward = engine.compile(params, (ops, p, x) -> List.of(sft.loss(ops, model, p, x).loss()));
    }
    List<Tensor> in = new ArrayList<>();
    try {
      for (HostTensor h : trainingBatch()) {
        in.add(engine.upload(h));
      }
      long t0 = 0;
      for (int i = -warmups; i < n; i++) {
        if (i == 0) {
          t0 = System.nanoTime();
        }
        List<Tensor> out = forward.call(in);
        engine.download(out.get(0));
        out.forEach(Tensor::close);
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      in.forEach(Tensor::close);
    }
  }

  /** Prompt length of the prefill measurement: the training sequence, within the context. */
  public int prefillLength() {
    return Math.min(seqLen, model.config().nPositions() - 1);
  }

  /** Prompt tokens per second: batch prompts of {@link #prefillLength} tokens, one token generated. */
  public double prefillTokensPerSecond() {
    int len = prefillLength();
    return (double) batch * len / seconds(batch, len, 1, true);
  }

  /**
   * Decoded tokens per second at batch {@code b}: {@code newTokens} tokens after a prompt of {@link
   * #DECODE_PROMPT}, less the time of the prefill with its first token (measured right after).
   */
  public double decodeTokensPerSecond(int b) {
    double all = seconds(b, DECODE_PROMPT, newTokens, true);
    double first = seconds(b, DECODE_PROMPT, 1, true);
    return (double) b * (newTokens - 1) / Math.max(1e-9, all - first);
  }

  /** The context of {@link #cachedOverNaive}: 256, or the model's context when shorter. */
  public int ratioContext() {
    return Math.min(256, model.config().nPositions());
  }

  /**
   * Time per token of naive decoding (the whole sequence recomputed) over that of cached decoding
   * (without its prefill), batch 1, {@link #CTX_NEW} tokens after a prompt filling the rest of {@link
   * #ratioContext}.
   */
  public double cachedOverNaive() {
    int prompt = ratioContext() - CTX_NEW;
    double cached = (seconds(1, prompt, CTX_NEW, true) - seconds(1, prompt, 1, true)) / (CTX_NEW - 1);
    double naive = seconds(1, prompt, CTX_NEW, false) / CTX_NEW;
    return naive / Math.max(1e-9, cached);
  }

  /** Closes the training step (its gradients and optimizer state), e.g. before measuring generation only. */
  public void closeTraining() {
    if (trainStep != null) {
      trainStep.close();
      trainStep = null;
    }
  }

  private double seconds(int b, int promptLen, int maxNew, boolean cached) {
    if (generator == null) {
      generator = new Generator(engine, model, params, -1, 0);
    }
    List<int[]> prompts = new ArrayList<>();
    Random rng = new Random(2);
    for (int r = 0; r < b; r++) {
      int[] p = new int[promptLen];
      for (int i = 0; i < promptLen; i++) {
        p[i] = rng.nextInt(Math.min(256, model.config().vocabSize()));
      }
      prompts.add(p);
    }
    SamplingConfig greedy = SamplingConfig.greedy(maxNew);
    Runnable run = cached ? () -> generator.generate(prompts, greedy, b) : () -> generator.generateNaive(prompts, greedy, b);
    if (warm.add(b + "x" + promptLen + "+" + maxNew + cached)) {
      run.run();
    }
    long t0 = System.nanoTime();
    run.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private List<HostTensor> trainingBatch() {
    int v = Math.min(256, model.config().vocabSize());
    Random rng = new Random(1);
    int[] ids = new int[batch * seqLen];
    int[] tgt = new int[batch * seqLen];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(v);
      tgt[i] = rng.nextInt(v);
    }
    float[] mask = new float[batch * seqLen];
    java.util.Arrays.fill(mask, 1f);
    return List.of(HostTensor.ofInts(ids, batch, seqLen), HostTensor.ofInts(tgt, batch, seqLen), HostTensor.of(mask, batch, seqLen));
  }

  @Override
  public void close() {
    closeTraining();
    if (generator != null) {
      generator.close();
    }
    if (forward != null) {
      forward.close();
    }
  }
}
