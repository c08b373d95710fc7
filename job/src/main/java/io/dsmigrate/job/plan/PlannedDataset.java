package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.spec.DatasetSpec;

/**
 * A dataset in a plan: its spec, what the planner found about its source ({@code sourceError} says
 * why nothing was found; the dataset then fails when it runs, and the others go on), and the path
 * it is executed on, with the reason ({@link ExecutionPath#choose}). A plan written before paths
 * were chosen reads as {@link ExecutionPath#SPARK}.
 */
public record PlannedDataset(
    DatasetSpec spec,
    SourceInfo source,
    String sourceError,
    ExecutionPath path,
    String pathReason) {
  /** The reason of a dataset read from a plan that has no path. */
  static final String NO_PATH_IN_PLAN = "planned before execution paths were chosen";

  public PlannedDataset {
    requireNonNull(spec, "spec is null");
    if (path == null) {
      path = ExecutionPath.SPARK;
      pathReason = pathReason == null ? NO_PATH_IN_PLAN : pathReason;
    }
    pathReason = pathReason == null ? "" : pathReason;
  }

  /** A dataset on the Spark path (no path chosen). */
  public PlannedDataset(DatasetSpec spec, SourceInfo source, String sourceError) {
    this(spec, source, sourceError, null, null);
  }

  /** A dataset on the path {@code choice} chose. */
  public static PlannedDataset of(
      DatasetSpec spec, SourceInfo source, String sourceError, ExecutionPath.Choice choice) {
    return new PlannedDataset(spec, source, sourceError, choice.path(), choice.reason());
  }

  /** This dataset with another spec (its script's text read again), on the same path. */
  public PlannedDataset withSpec(DatasetSpec other) {
    return new PlannedDataset(other, source, sourceError, path, pathReason);
  }

  public long sizeBytes() {
    return source == null ? 0 : source.sizeBytes();
  }
}
