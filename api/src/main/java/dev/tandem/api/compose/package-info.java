/**
 * Composition of frozen base models into one {@link dev.tandem.api.model.CausalLM} with new
 * trainable parameters: the {@link dev.tandem.api.compose.CompositionStrategy} SPI (CALM, LoRA, ...)
 * and composed model directories ({@code composition.json} with hashed references to the bases,
 * plus the new parameters only).
 */
package dev.tandem.api.compose;
