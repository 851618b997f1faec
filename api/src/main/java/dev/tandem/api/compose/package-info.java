/**
 * Composition of frozen base models into one {@link dev.tandem.api.model.CausalLM} with new
 * trainable parameters: the {@link dev.tandem.api.compose.CompositionStrategy} SPI (CALM, LoRA, ...)
 * and composed model directories ({@code composition.json} with hashed references to the bases,
 * plus the new parameters only), and {@link dev.tandem.api.compose.LoadedModel}, a model directory
 * (plain or composed) loaded onto an engine.
 */
package dev.tandem.api.compose;
