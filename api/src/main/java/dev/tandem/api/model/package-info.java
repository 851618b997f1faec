/**
 * Causal language models written once over the op set: the configuration, the GPT decoder, and
 * {@link dev.tandem.api.model.Attention}, the multi-head attention unit that GPT's blocks and
 * compositions' attention (CALM's cross-attention) share.
 */
package dev.tandem.api.model;
