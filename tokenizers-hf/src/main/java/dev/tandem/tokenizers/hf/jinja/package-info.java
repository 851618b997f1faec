/**
 * A sandboxed Jinja2 engine for Hugging Face chat templates, in pure Java: {@link
 * dev.tandem.tokenizers.hf.jinja.JinjaTemplate} parses and renders with the semantics of the
 * environment transformers uses ({@code ImmutableSandboxedEnvironment(trim_blocks=True,
 * lstrip_blocks=True)}, {@code loopcontrols}, {@code {% generation %}}, transformers' {@code
 * tojson}, {@code raise_exception}, {@code strftime_now}); {@link
 * dev.tandem.tokenizers.hf.jinja.Limits} bounds a render; every failure is a {@link
 * dev.tandem.tokenizers.hf.jinja.TemplateException} naming the template and line.
 *
 * <p>Not supported: {@code include}, {@code extends}, {@code import}, {@code block}, recursive
 * loops, {@code str.format}, autoescaping.
 */
package dev.tandem.tokenizers.hf.jinja;
