/** Generation: greedy, temperature, top-k, top-p, batched, with a KV cache. */
package dev.tandem.api.generate;
