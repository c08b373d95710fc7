package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.spec.DatasetSpec;

/**
 * A dataset in a plan: its spec and what the planner found about its source ({@code sourceError}
 * says why nothing was found; the dataset then fails when it runs, and the others go on).
 */
public record PlannedDataset(DatasetSpec spec, SourceInfo source, String sourceError) {
  public PlannedDataset {
    requireNonNull(spec, "spec is null");
  }

  public long sizeBytes() {
    return source == null ? 0 : source.sizeBytes();
  }
}
