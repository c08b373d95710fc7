package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dsmigrate.job.fs.Locations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * A checked, resolved set of datasets split into waves, and each wave into partitions of similar
 * size; each partition is one Spark application ({@code spark-submit ... --plan plan.json
 * --partition I}). Waves run in order: wave {@value #PILOT} is the pilot, a small sample that
 * covers every kind of dataset in the plan, and the waves after it run only once it passed.
 * Partitions are numbered across waves, those of earlier waves first.
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

  /** The wave of the pilot. */
  public static final int PILOT = 0;

  /** One partition: the datasets of one wave that one Spark application migrates. */
  public record Partition(int index, int wave, long sizeBytes, List<PlannedDataset> datasets) {
    public Partition {
      datasets = List.copyOf(datasets);
    }
  }

  /** The waves, in the order they run, each with its partitions. */
  public List<Wave> waves() {
    java.util.TreeMap<Integer, List<Partition>> byWave = new java.util.TreeMap<>();
    partitions.forEach(p -> byWave.computeIfAbsent(p.wave(), w -> new ArrayList<>()).add(p));
    List<Wave> waves = new ArrayList<>();
    byWave.forEach((index, parts) -> waves.add(new Wave(index, parts)));
    return waves;
  }

  /** One wave: partitions that may run at the same time; the next wave waits for them. */
  public record Wave(int index, List<Partition> partitions) {
    public Wave {
      partitions = List.copyOf(partitions);
    }

    public boolean pilot() {
      return index == PILOT;
    }

    public List<PlannedDataset> datasets() {
      return datasetsOf(partitions);
    }
  }

  /** The pilot wave, or null when the plan has none. */
  public Wave pilot() {
    return waves().stream().filter(Wave::pilot).findFirst().orElse(null);
  }

  /** Every dataset of the plan, partition by partition. */
  public List<PlannedDataset> datasets() {
    return datasetsOf(partitions);
  }

  private static List<PlannedDataset> datasetsOf(List<Partition> partitions) {
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

  /** Writes the plan to a local file. */
  public void write(Path file) {
    write(
        new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()).toString(),
        new Configuration());
  }

  /**
   * Writes the plan to {@code location}, a path or a URI on any Hadoop file system (a path without
   * a scheme is on the default file system), replacing an earlier plan there; any other file there
   * is not dsmigrate's to replace, and is refused.
   */
  public void write(String location, Configuration conf) {
    String uri = Locations.current().qualify(location);
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
      org.apache.hadoop.fs.FileSystem fs = Locations.plainFileSystem(uri, conf);
      if (fs.exists(path)) {
        try {
          read(uri, conf);
        } catch (RuntimeException notAPlan) {
          throw new IllegalArgumentException(
              uri
                  + " exists and is not a dsmigrate plan, so it is not replaced; give another --out"
                  + " or move it away");
        }
      }
      try (OutputStream out = fs.create(path, true)) {
        JSON.writeValue(out, this);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the plan to " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Reads a plan from a local file. */
  public static Plan read(Path file) {
    return read(
        new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()).toString(),
        new Configuration());
  }

  /** Reads a plan from {@code location}, a path or a URI on any Hadoop file system. */
  public static Plan read(String location, Configuration conf) {
    String uri = Locations.current().qualify(location);
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
      try (InputStream in = Locations.plainFileSystem(uri, conf).open(path)) {
        return JSON.readValue(in, Plan.class);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the plan "
              + uri
              + ": "
              + e.getMessage()
              + ". Write one with 'dsmigrate plan'",
          e);
    }
  }
}
