/**
 * Files on disk: safetensors read memory-mapped with bounds checks, model directories (config,
 * weights, tokenizer files through {@link dev.tandem.api.io.Tokenizers}), all written atomically.
 */
package dev.tandem.api.io;
