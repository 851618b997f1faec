/**
 * Tandem's engine-neutral core: the tensor SPI, engines, models, data, objectives, optimizers,
 * training, generation and composition. Nothing here depends on a compute engine.
 *
 * <h2>Package order</h2>
 *
 * <p>The packages form layers without cycles: each uses only packages listed before it
 * ({@code PackageOrderTest} checks every source file against this list).
 *
 * <ol>
 *   <li>{@code dev.tandem.api.tensor}: tensors, shapes, dtypes and {@code TensorOps}, the op set
 *   <li>{@code dev.tandem.api.option}: declared options of plugins
 *   <li>{@code dev.tandem.api.tokenizer}: the {@code Tokenizer}, {@code TokenizerProvider} and
 *       {@code ChatTemplate} SPIs and the byte-level tokenizer
 *   <li>{@code dev.tandem.api.optim}: optimizers and the fused-update hook
 *   <li>{@code dev.tandem.api.engine}: the engine SPI (execution, gradients, train steps)
 *   <li>{@code dev.tandem.api.model}: causal language models written over the op set, the {@code
 *       ModelFamily} SPI and the built-in {@code gpt2} family
 *   <li>{@code dev.tandem.api.generate}: generation with a KV cache
 *   <li>{@code dev.tandem.api.objective}: training objectives
 *   <li>{@code dev.tandem.api.bench}: measuring engines and models
 *   <li>{@code dev.tandem.api.io}: safetensors, Hugging Face model directories (shards, BF16) and
 *       tokenizer files on disk
 *   <li>{@code dev.tandem.api.data}: datasets, prompt templates and batching
 *   <li>{@code dev.tandem.api.train}: the trainer, evaluation and checkpoints
 *   <li>{@code dev.tandem.api.adapter}: LoRA adapters over any family, in PEFT's layout
 *   <li>{@code dev.tandem.api.compose}: compositions and {@code LoadedModel} (a plain or composed
 *       model directory, loaded)
 *   <li>{@code dev.tandem.api.inject}: the {@code Tandem} facade, plugin loading, and the
 *       experiment and workflow SPIs that run on the facade
 * </ol>
 */
module dev.tandem.api {
  requires transitive com.google.guice;
  requires transitive jakarta.inject;
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.tandem.api.tensor;
  exports dev.tandem.api.engine;
  exports dev.tandem.api.optim;
  exports dev.tandem.api.io;
  exports dev.tandem.api.model;
  exports dev.tandem.api.tokenizer;
  exports dev.tandem.api.data;
  exports dev.tandem.api.objective;
  exports dev.tandem.api.option;
  exports dev.tandem.api.train;
  exports dev.tandem.api.generate;
  exports dev.tandem.api.inject;
  exports dev.tandem.api.compose;
  exports dev.tandem.api.adapter;
  exports dev.tandem.api.bench;

  opens dev.tandem.api.model to com.fasterxml.jackson.databind;
  opens dev.tandem.api.train to com.fasterxml.jackson.databind;
  opens dev.tandem.api.inject to com.google.guice;

  uses dev.tandem.api.engine.EngineProvider;
  uses dev.tandem.api.objective.Objective;
  uses dev.tandem.api.inject.TandemPlugin;
  uses dev.tandem.api.compose.CompositionStrategy;
  uses dev.tandem.api.inject.Experiment;
  uses dev.tandem.api.inject.Workflow;
  uses dev.tandem.api.tokenizer.TokenizerProvider;
  uses dev.tandem.api.model.ModelFamily;

  provides dev.tandem.api.model.ModelFamily with
      dev.tandem.api.model.GptFamily;
}
