package io.dsmigrate.job.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How rows change on the way to the target: column operations (rename, then cast, then drop, then
 * add), or one SELECT over {@code source} given inline ({@code sql}) or in a file ({@code script}).
 *
 * @param scriptText the text of {@code script} as it was read: when the spec loaded, and again by
 *     the job just before the dataset runs, so that the spec's hash is of the text that runs (null
 *     when there is no script, or it could not be read; the transform then reads it and reports why
 *     it cannot)
 */
public record TransformSpec(
    Map<String, String> rename,
    Map<String, String> cast,
    List<String> drop,
    Map<String, String> add,
    String sql,
    String script,
    @JsonInclude(JsonInclude.Include.NON_NULL) String scriptText) {
  /** No transform: rows are copied as they are. */
  public static final TransformSpec NONE =
      new TransformSpec(Map.of(), Map.of(), List.of(), Map.of(), null, null, null);

  @JsonCreator
  public TransformSpec {
    rename = rename == null ? Map.of() : copy(rename);
    cast = cast == null ? Map.of() : copy(cast);
    drop = drop == null ? List.of() : List.copyOf(drop);
    add = add == null ? Map.of() : copy(add);
    scriptText = script == null ? null : scriptText;
  }

  /** A transform whose script's text is not read yet. */
  public TransformSpec(
      Map<String, String> rename,
      Map<String, String> cast,
      List<String> drop,
      Map<String, String> add,
      String sql,
      String script) {
    this(rename, cast, drop, add, sql, script, null);
  }

  /** A copy with the script's text as read now (null: it could not be read). */
  public TransformSpec withScriptText(String text) {
    return new TransformSpec(rename, cast, drop, add, sql, script, text);
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
