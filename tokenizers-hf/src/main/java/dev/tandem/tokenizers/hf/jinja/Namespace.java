package dev.tandem.tokenizers.hf.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** The mutable object {@code namespace(...)} returns; {@code set ns.x = ...} writes it. */
final class Namespace {
  final Map<String, Object> values = new LinkedHashMap<>();
}
