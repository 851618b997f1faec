/** Tokenizers: the byte-level tokenizer and its tokenizer.json. */
package dev.tandem.api.tokenizer;
