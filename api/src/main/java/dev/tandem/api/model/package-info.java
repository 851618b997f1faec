/** Causal language models written once over the op set: the configuration and the GPT decoder. */
package dev.tandem.api.model;
