package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A checked, resolved set of datasets split into partitions of similar size; each partition is one
 * Spark application ({@code spark-submit ... --plan plan.json --partition I}).
 */
public record Plan(String planId, String createdAt, List<Partition> partitions) {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public Plan {
    requireNonNull(planId, "planId is null");
    partitions = List.copyOf(partitions);
  }

  /** One partition: the datasets one Spark application migrates. */
  public record Partition(int index, long sizeBytes, List<PlannedDataset> datasets) {
    public Partition {
      datasets = List.copyOf(datasets);
    }
  }

  /** Every dataset of the plan, partition by partition. */
  public List<PlannedDataset> datasets() {
    List<PlannedDataset> all = new ArrayList<>();
    partitions.forEach(partition -> all.addAll(partition.datasets()));
    return all;
  }

  public Partition partition(int index) {
    if (index < 0 || index >= partitions.size()) {
      throw new IllegalArgumentException(
          "Plan "
              + planId
              + " has partitions 0.."
              + (partitions.size() - 1)
              + "; there is no partition "
              + index);
    }
    return partitions.get(index);
  }

  public void write(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      JSON.writeValue(file.toFile(), this);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the plan to " + file + ": " + e.getMessage(), e);
    }
  }

  public static Plan read(Path file) {
    try {
      return JSON.readValue(file.toFile(), Plan.class);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the plan "
              + file
              + ": "
              + e.getMessage()
              + ". Write one with 'dsmigrate plan'",
          e);
    }
  }
}
