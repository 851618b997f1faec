/**
 * The CALM plugin: the {@code calm} and {@code lora} composition strategies. Start with {@link
 * dev.tandem.calm.CalmStrategy}.
 */
package dev.tandem.calm;
