package dev.tandem.api.train;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Objective} over {@link TrainingData} on any engine: schedules the learning rate,
 * logs {@code metrics.jsonl}, evaluates, writes checkpoints atomically and resumes from the newest
 * one exactly where it stopped.
 *
 * <p>Code outside the api gets a trainer from {@link dev.tandem.api.inject.Tandem#trainer}, which
 * adds the bound {@link TrainingListener} and the model's own writer (the CLI, SPIN's loop and the
 * experiments all do; a test in the cli module fails if a source outside the api calls this
 * constructor).
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final Engine engine;
  private final CausalLM model;
  private final Parameters params;
  private final Objective objective;
  private final Optimizer optimizer;
  private final TrainerConfig config;
  private final long seed;
  private final Path output;
  private final ModelWriter writer;
  private final List<TrainingListener> listeners = new ArrayList<>();

  /**
   * @param seed recorded in the trainer state; the data order is the {@link TrainingData}'s
   * @param output the run directory: {@code metrics.jsonl}, checkpoints, the final model
   * @param writer writes the model's files for checkpoints and the final model
   */
  public Trainer(
      Engine engine,
      CausalLM model,
      Parameters params,
      Objective objective,
      Optimizer optimizer,
      TrainerConfig config,
      long seed,
      Path output,
      ModelWriter writer) {
    this.engine = engine;
    this.model = model;
    this.params = params;
    this.objective = objective;
    this.optimizer = optimizer;
    this.config = config;
    this.seed = seed;
    this.output = output;
    this.writer = writer;
  }

  public Trainer addListener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  /** What a finished run reports. */
  public record Result(long steps, double lastLoss, Double lastEvalLoss, long resumedFrom) {}

  /**
   * Trains to the configured number of steps.
   *
   * @param eval evaluation batches (may be empty)
   * @param resume continue from the newest complete checkpoint in the output directory, if any
   */
  public Result train(TrainingData data, List<List<HostTensor>> eval, boolean resume) throws IOException {
    Files.createDirectories(output);
    int perEpoch = data.batchesPerEpoch();
    if (perEpoch < 1) {
      throw new IllegalArgumentException("training data has no batches");
    }
    long total = config.totalSteps(perEpoch);
    LrSchedule lr = new LrSchedule(config.schedule(), config.learningRate(), (int) (config.warmupRatio() * total), (int) Math.max(1, total));
    MetricsLog metrics = new MetricsLog(output.resolve("metrics.jsonl"));
    LossFunction loss = (ops, p, in) -> objective.loss(ops, model, p, in);
    try (TrainStep step = engine.trainStep(params, loss, optimizer, new TrainStepOptions(config.maxGradNorm()))) {
      long start = 0;
      if (resume) {
        start = restore(step, metrics);
      } else if (Files.exists(metrics.file())) {
        Files.delete(metrics.file());
      }
      long first = start;
      listeners.forEach(l -> l.onStart(first, total));
      double windowLoss = 0;
      long windowTokens = 0;
      int windowSteps = 0;
      long windowStart = System.nanoTime();
      double lastLoss = Double.NaN;
      Double lastEval = null;
      for (long s = start; s < total; s++) {
        int epoch = (int) (s / perEpoch);
        int index = (int) (s % perEpoch);
        List<HostTensor> batch = data.batch(epoch, index);
        float rate = lr.at(s);
        StepResult r = step.run(batch, rate);
        if (!Float.isFinite(r.loss())) {
          throw new IllegalStateException("loss is " + r.loss() + " at step " + (s + 1) + ": lower the learning rate");
        }
        long done = s + 1;
        lastLoss = r.loss();
        windowLoss += r.loss();
        windowSteps++;
        windowTokens += data.tokens(batch);
        Map<String, Double> stepMetrics = new LinkedHashMap<>();
        stepMetrics.put("loss", (double) r.loss());
        stepMetrics.put("lr", (double) rate);
        long stepDone = done;
        listeners.forEach(l -> l.onStep(stepDone, stepMetrics));
        boolean last = done == total;
        boolean evalNow = !eval.isEmpty() && (last || (config.evalSteps() > 0 && done % config.evalSteps() == 0));
        if (done % config.logSteps() == 0 || last || evalNow) {
          double seconds = (System.nanoTime() - windowStart) / 1e9;
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("step", done);
          line.put("epoch", round((double) done / perEpoch));
          line.put("loss", round(windowLoss / windowSteps));
          line.put("lr", rate);
          line.put("grad_norm", round(r.gradNorm()));
          line.put("tokens_per_second", round(windowTokens / Math.max(seconds, 1e-9)));
          r.metrics().forEach((k, v) -> line.put(k, round(v)));
          if (evalNow) {
            lastEval = evaluate(step, eval);
            line.put("eval_loss", round(lastEval));
          }
          metrics.append(line);
          listeners.forEach(l -> l.onLog(line));
          windowLoss = 0;
          windowSteps = 0;
          windowTokens = 0;
          windowStart = System.nanoTime();
        }
        if (last || (config.saveSteps() > 0 && done % config.saveSteps() == 0)) {
          TrainerState st = new TrainerState(done, (int) (done / perEpoch), (int) (done % perEpoch), total, seed, objective.name(), optimizer.name(), engine.name(), lastLoss, lastEval);
          Path dir = Checkpoints.write(output, st, writer.values(params), step.state(), writer);
          Checkpoints.prune(output, config.keepCheckpoints());
          listeners.forEach(l -> l.onCheckpoint(stepDone, dir));
          if (last) {
            writeFinal(st);
          }
        }
      }
      if (start >= total) {
        LOG.info("nothing to do: {} already holds step {} of {}", output, start, total);
      }
      listeners.forEach(l -> l.onEnd(total));
      return new Result(Math.max(start, total), lastLoss, lastEval, start);
    }
  }

  /**
   * The mean loss over the evaluation batches, weighted by the {@code tokens} metric (SFT) or else
   * the {@code pairs} metric (preference objectives), so that a short last batch counts for what it
   * holds; every batch weighs 1 when the objective reports neither.
   */
  public static double evaluate(TrainStep step, List<List<HostTensor>> eval) {
    double sum = 0;
    double weight = 0;
    for (List<HostTensor> b : eval) {
      StepResult r = step.evaluate(b);
      double w = r.metrics().getOrDefault("tokens", r.metrics().getOrDefault("pairs", 1f));
      sum += r.loss() * w;
      weight += w;
    }
    return weight == 0 ? Double.NaN : sum / weight;
  }

  private long restore(TrainStep step, MetricsLog metrics) throws IOException {
    Optional<Path> latest = Checkpoints.latest(output);
    if (latest.isEmpty()) {
      LOG.info("--resume: no checkpoint in {}, starting from step 0", output);
      if (Files.exists(metrics.file())) {
        Files.delete(metrics.file());
      }
      return 0;
    }
    Path dir = latest.get();
    TrainerState st = Checkpoints.readState(dir);
    Map<String, HostTensor> weights = writer.read(dir);
    for (String name : params.names()) {
      HostTensor w = weights.get(name);
      if (w != null) {
        params.write(name, w);
      } else if (params.trainable().contains(name)) {
        // frozen parameters never change, so a writer may leave them out (a composition's bases)
        throw new IOException(dir + ": missing parameter " + name + " in the checkpoint");
      }
    }
    step.loadState(Checkpoints.readOptimizer(dir));
    metrics.truncateAfter(st.globalStep());
    LOG.info("resumed from {} (step {})", dir, st.globalStep());
    return st.globalStep();
  }

  private void writeFinal(TrainerState st) throws IOException {
    Path tmp = Files.createTempDirectory(output, ".final-");
    try {
      writer.write(tmp, writer.values(params));
      try (var files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          Files.move(f, output.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Checkpoints.writeState(output.resolve(Checkpoints.STATE), st);
    } finally {
      Checkpoints.deleteTree(tmp);
    }
  }

  private static double round(double v) {
    if (!Double.isFinite(v)) {
      return v;
    }
    return Math.round(v * 1e6) / 1e6;
  }
}
