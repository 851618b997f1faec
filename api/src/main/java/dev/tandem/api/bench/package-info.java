/**
 * Measuring an engine and models on it: matmul peak, training throughput and MFU, generation with
 * and without the KV cache, and generation time ratios between models (a composition against its
 * bases, a merged adapter against its base).
 */
package dev.tandem.api.bench;
