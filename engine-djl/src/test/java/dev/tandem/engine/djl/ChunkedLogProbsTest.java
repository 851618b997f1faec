package dev.tandem.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.LayeredLM;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LayeredLM#tokenLogProbs} at a vocabulary large enough to be chunked gives the log-probs and
 * the gradients of the whole log-softmax.
 */
class ChunkedLogProbsTest {
  @Test
  void chunkedHeadMatchesTheWholeLogSoftmax() {
    int vocab = 1 << 16;
    int b = 2;
    int t = 300; // 2 x 300 x 65,536 > 2^24: chunks of 128 positions
    assertTrue((long) b * t * vocab > LayeredLM.LOGIT_CHUNK_ELEMENTS);
    Gpt model = new Gpt(ModelConfig.of(vocab, 1, 2, 16, t));
    Random r = new Random(3);
    int[] ids = new int[b * t];
    int[] targets = new int[b * t];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(vocab);
      targets[i] = r.nextInt(vocab);
    }
    List<HostTensor> in = List.of(HostTensor.ofInts(ids, b, t), HostTensor.ofInts(targets, b, t));
    float[][] values = new float[2][];
    Map<String, HostTensor> init = model.initialWeights(1);
    Map<String, HostTensor>[] after = new Map[2];
    try (DjlEngine engine = new DjlEngineProvider().create(new EngineOptions("cpu", 2), true)) {
      for (int chunked = 0; chunked < 2; chunked++) {
        boolean c = chunked == 1;
        Parameters p = engine.createParameters(init, init.keySet());
        try (CompiledFunction f = engine.compile(p, (o, ps, x) -> List.of(logProbs(model, c, o, ps, x)))) {
          List<Tensor> up = List.of(engine.upload(in.get(0)), engine.upload(in.get(1)));
          List<Tensor> out = f.call(up);
          values[chunked] = engine.download(out.get(0)).floats();
          out.forEach(Tensor::close);
          up.forEach(Tensor::close);
        }
        try (TrainStep step = engine.trainStep(p,
            (o, ps, x) -> new LossOutput(o.neg(o.sumAll(logProbs(model, c, o, ps, x))), Map.of()),
            new Sgd(), new TrainStepOptions(0f))) {
          step.run(in, 1e-2f);
        }
        after[chunked] = p.readAll();
      }
    }
    assertEquals(b * t, values[1].length);
    for (int i = 0; i < values[0].length; i++) {
      assertEquals(values[0][i], values[1][i], 1e-5f * Math.abs(values[0][i]) + 1e-5f, "log-prob " + i);
    }
    for (String name : init.keySet()) {
      float[] x = after[0].get(name).floats();
      float[] y = after[1].get(name).floats();
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], 1e-5f * Math.abs(x[i]) + 1e-6f, name + "[" + i + "] after one SGD step");
      }
    }
  }

  private static Tensor logProbs(Gpt model, boolean chunked, dev.tandem.api.tensor.TensorOps o,
      Parameters ps, List<Tensor> x) {
    return chunked ? model.tokenLogProbs(o, ps, x.get(0), x.get(1))
        : o.takeAlongLastAxis(o.logSoftmax(model.forward(o, ps, x.get(0), null, null), -1), x.get(1));
  }
}
