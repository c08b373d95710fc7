package io.dsmigrate.job.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How rows change on the way to the target: column operations (rename, then cast, then drop, then
 * add), or one SELECT over {@code source} given inline ({@code sql}) or in a file ({@code script}).
 */
public record TransformSpec(
    Map<String, String> rename,
    Map<String, String> cast,
    List<String> drop,
    Map<String, String> add,
    String sql,
    String script) {
  /** No transform: rows are copied as they are. */
  public static final TransformSpec NONE =
      new TransformSpec(Map.of(), Map.of(), List.of(), Map.of(), null, null);

  public TransformSpec {
    rename = rename == null ? Map.of() : copy(rename);
    cast = cast == null ? Map.of() : copy(cast);
    drop = drop == null ? List.of() : List.copyOf(drop);
    add = add == null ? Map.of() : copy(add);
  }

  // Keeps the order people wrote: renames and additions happen in that order.
  private static Map<String, String> copy(Map<String, String> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** What kind of transform this is, for plans and results. */
  public String kind() {
    if (sql != null) {
      return "sql";
    }
    if (script != null) {
      return "script";
    }
    if (rename.isEmpty() && cast.isEmpty() && drop.isEmpty() && add.isEmpty()) {
      return "none";
    }
    return "columns";
  }
}
