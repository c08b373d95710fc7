package io.dsmigrate.job.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a dataset is written: a table (registered in the metastore), a path, or both; the format
 * (delta by default, or parquet) and the partition columns; and what the target says of itself
 * besides the source's metadata (see {@code TableMetadata} for what travels from the source).
 *
 * @param comment the target's table comment, in place of the source's (null: the source's; empty:
 *     no comment)
 * @param properties table properties set on the target, over the source's of the same name
 * @param columnComments comments of target columns (by their names in the target), over the ones
 *     they take from the source (empty text: no comment)
 */
public record TargetSpec(
    String table,
    String path,
    String format,
    List<String> partitionBy,
    @JsonInclude(JsonInclude.Include.NON_NULL) String comment,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> properties,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> columnComments) {
  // The three metadata fields are left out of the JSON (and so of the spec's hash) when unset, so
  // that specs written before they existed keep their hash.

  @JsonCreator
  public TargetSpec {
    format = format == null ? "delta" : format;
    partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
    properties = properties == null ? Map.of() : copy(properties);
    columnComments = columnComments == null ? Map.of() : copy(columnComments);
  }

  /** A target without metadata of its own. */
  public TargetSpec(String table, String path, String format, List<String> partitionBy) {
    this(table, path, format, partitionBy, null, null, null);
  }

  // Keeps the order people wrote, for messages and for SHOW TBLPROPERTIES.
  private static Map<String, String> copy(Map<String, String> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** The table name or the path, as people write it. */
  public String describe() {
    return table != null ? table : path;
  }
}
