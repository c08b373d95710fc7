package io.dsmigrate.job.spec;

import java.util.Map;

/**
 * Where a spec was written: its file, the line it starts on, and the line of each field (keys like
 * {@code transform.cast} or {@code transform.cast.amount}), so errors can point people at the line
 * to change.
 */
public record SpecOrigin(String file, int line, Map<String, Integer> fieldLines) {
  public SpecOrigin {
    fieldLines = fieldLines == null ? Map.of() : Map.copyOf(fieldLines);
  }

  /** {@code file:line} of a field, falling back to its parent fields, then to the spec's start. */
  public String at(String field) {
    String key = field;
    while (key != null) {
      Integer found = fieldLines.get(key);
      if (found != null) {
        return file + ":" + found;
      }
      int dot = key.lastIndexOf('.');
      key = dot < 0 ? null : key.substring(0, dot);
    }
    return file + ":" + line;
  }
}
