package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.Names;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.job.spec.TransformSpec;
import io.dsmigrate.job.spec.ValidationSpec;
import java.util.List;
import java.util.Locale;

/**
 * How a dataset is executed: by an executor task that migrates it among many small datasets ({@link
 * #AGENT}), by its own Spark jobs from the driver ({@link #SPARK}, which supports everything), or,
 * for an in-place Parquet source without a transform, converted where it stands ({@link #CONVERT},
 * metadata only, on the Spark path). The planner chooses with {@link #choose}; the plan JSON
 * carries it as {@code "path": "agent"|"spark"} with the reason.
 */
public enum ExecutionPath {
  AGENT,
  SPARK,
  /** An in-place Parquet to Delta migration without a transform: {@code CONVERT TO DELTA}. */
  CONVERT;

  /** The name in the plan JSON and in {@code plan}'s summary. */
  @JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The path named {@code label} (any case); null for null (a plan written before paths). */
  @JsonCreator
  public static ExecutionPath of(String label) {
    return label == null ? null : valueOf(label.trim().toUpperCase(Locale.ROOT));
  }

  /**
   * A chosen path and why: for {@link #SPARK}, the first condition of the agent path that the
   * dataset does not meet, as {@code rule} or {@code rule: details} (the rule alone groups datasets
   * in a summary).
   */
  public record Choice(ExecutionPath path, String reason) {
    public Choice {
      requireNonNull(path, "path is null");
      requireNonNull(reason, "reason is null");
    }

    /** The reason without its details: {@code source partitioned} for every partitioning. */
    public static String rule(String reason) {
      int colon = reason.indexOf(": ");
      return colon < 0 ? reason : reason.substring(0, colon);
    }

    static Choice agent() {
      return new Choice(AGENT, "small Parquet source, new Delta target, column transform");
    }

    static Choice spark(String reason) {
      return new Choice(SPARK, reason);
    }
  }

  /** {@link #choose(DatasetSpec, SourceInfo, String, AgentLimits)} with the spec's target path. */
  public static Choice choose(DatasetSpec spec, SourceInfo source, AgentLimits limits) {
    return choose(spec, source, null, limits);
  }

  /**
   * The path of a dataset: {@link #AGENT} only when every condition below holds, else {@link
   * #SPARK} with the first that does not, in this order: the agent path is enabled; the source was
   * resolved; it is Parquet (a Parquet path, or a table stored as Parquet) and not partitioned; the
   * target does not replace it (another table, another location); no cut-over; the target is Delta
   * and not partitioned, and its spec sets no {@code delta.*} property; the transform is column
   * operations only (no {@code sql}, no {@code script}); validation runs no consumer queries and
   * has no tolerances; the source is at most {@code limits.maxBytes()} and {@code
   * limits.maxFiles()} files. A pure function: no Spark.
   *
   * @param targetLocation where the target's files go as the metastore places them (null: only the
   *     spec's target path is compared with the source's location)
   */
  public static Choice choose(
      DatasetSpec spec, SourceInfo source, String targetLocation, AgentLimits limits) {
    requireNonNull(spec, "spec is null");
    requireNonNull(limits, "limits is null");
    if (source != null && ConvertInPlace.applies(spec, source).converts()) {
      return new Choice(CONVERT, "in-place Parquet to Delta without a transform: converted");
    }
    if (!limits.enabled()) {
      return Choice.spark("agent path disabled");
    }
    if (source == null) {
      return Choice.spark("source not resolved");
    }
    if (!"parquet".equals(source.format())) {
      return Choice.spark("source format not parquet: " + source.format());
    }
    if (!source.partitionColumns().isEmpty()) {
      return Choice.spark("source partitioned: " + String.join(", ", source.partitionColumns()));
    }
    if (inPlace(spec.target(), source, targetLocation)) {
      return Choice.spark("target replaces the source in place");
    }
    if (spec.cutover()) {
      return Choice.spark("cut-over");
    }
    TargetSpec target = spec.target();
    if (!"delta".equals(target.format())) {
      return Choice.spark("target format not delta: " + target.format());
    }
    if (!target.partitionBy().isEmpty()) {
      return Choice.spark("target partitioned: " + String.join(", ", target.partitionBy()));
    }
    List<String> deltaProperties =
        target.properties().keySet().stream()
            .filter(key -> key.toLowerCase(Locale.ROOT).startsWith("delta."))
            .toList();
    if (!deltaProperties.isEmpty()) {
      // Delta Kernel writes only some table features; Delta's own writer takes them all.
      return Choice.spark(
          "target sets Delta table properties: " + String.join(", ", deltaProperties));
    }
    TransformSpec transform = spec.transform();
    if (transform.sql() != null) {
      return Choice.spark("transform is SQL");
    }
    if (transform.script() != null) {
      return Choice.spark("transform is a script");
    }
    ValidationSpec validation = spec.validation();
    if (!validation.queries().isEmpty()) {
      return Choice.spark("validation runs consumer queries");
    }
    if (!validation.tolerances().isEmpty()) {
      return Choice.spark("validation has tolerances");
    }
    if (source.sizeBytes() < 0 || source.files() < 0) {
      return Choice.spark("source size unknown");
    }
    if (source.sizeBytes() > limits.maxBytes()) {
      return Choice.spark(
          "source over dsmigrate.agent.max-bytes ("
              + limits.maxBytes()
              + "): "
              + source.sizeBytes()
              + " bytes");
    }
    if (source.files() > limits.maxFiles()) {
      return Choice.spark(
          "source over dsmigrate.agent.max-files ("
              + limits.maxFiles()
              + "): "
              + source.files()
              + " files");
    }
    return Choice.agent();
  }

  // The same test as the migration's: the source's table name, or its location.
  private static boolean inPlace(TargetSpec target, SourceInfo source, String targetLocation) {
    if (target.table() != null
        && source.table() != null
        && Names.table(target.table()).equals(source.table())) {
      return true;
    }
    if (source.location() == null) {
      return false;
    }
    String sourceLocation = Names.path(source.location());
    if (target.path() != null && Names.path(target.path()).equals(sourceLocation)) {
      return true;
    }
    return targetLocation != null && Names.path(targetLocation).equals(sourceLocation);
  }
}
