/** A sandboxed Jinja2 engine for Hugging Face chat templates. */
package dev.tandem.tokenizers.hf.jinja;
