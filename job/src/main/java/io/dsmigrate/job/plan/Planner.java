package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.results.MigrationException;
import io.dsmigrate.job.spec.DatasetSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;

/**
 * Turns checked specs into a {@link Plan}: resolves every source (format, schema, size) and splits
 * the datasets into partitions of similar total size (largest first, each to the lightest
 * partition).
 */
public final class Planner {
  private final SparkSession spark;
  private int partitions = 1;

  private Planner(SparkSession spark) {
    this.spark = requireNonNull(spark, "spark is null");
  }

  public static Planner of(SparkSession spark) {
    return new Planner(spark);
  }

  public Planner partitions(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("--partitions must be 1 or more, not " + count);
    }
    this.partitions = count;
    return this;
  }

  public Plan plan(List<DatasetSpec> specs) {
    List<PlannedDataset> planned = new ArrayList<>();
    for (DatasetSpec spec : specs) {
      try {
        planned.add(new PlannedDataset(spec, SourceResolver.resolve(spark, spec), null));
      } catch (MigrationException e) {
        planned.add(new PlannedDataset(spec, null, e.getMessage()));
      }
    }
    planned.sort(
        Comparator.comparingLong(PlannedDataset::sizeBytes)
            .reversed()
            .thenComparing(p -> p.spec().id()));
    int count = Math.max(1, Math.min(partitions, planned.size()));
    List<List<PlannedDataset>> buckets = new ArrayList<>();
    long[] sizes = new long[count];
    for (int i = 0; i < count; i++) {
      buckets.add(new ArrayList<>());
    }
    for (PlannedDataset dataset : planned) {
      int lightest = 0;
      for (int i = 1; i < count; i++) {
        if (sizes[i] < sizes[lightest]
            || (sizes[i] == sizes[lightest]
                && buckets.get(i).size() < buckets.get(lightest).size())) {
          lightest = i;
        }
      }
      buckets.get(lightest).add(dataset);
      sizes[lightest] += dataset.sizeBytes();
    }
    List<Plan.Partition> result = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      result.add(new Plan.Partition(i, sizes[i], buckets.get(i)));
    }
    String created = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
    String planId =
        "plan-"
            + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now())
            + "-"
            + UUID.randomUUID().toString().substring(0, 6);
    return new Plan(planId, created, result);
  }
}
