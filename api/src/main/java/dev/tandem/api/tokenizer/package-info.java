/**
 * The {@link dev.tandem.api.tokenizer.Tokenizer} SPI and the byte-level tokenizer; reading a
 * tokenizer from a model directory is {@link dev.tandem.api.io.Tokenizers}' job.
 */
package dev.tandem.api.tokenizer;
