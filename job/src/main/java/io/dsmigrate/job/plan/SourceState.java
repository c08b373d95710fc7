package io.dsmigrate.job.plan;

import static java.util.Objects.requireNonNull;

import io.delta.tables.DeltaTable;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.job.results.MigrationException;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

/**
 * A source as it stood when it was read, to tell before a cut-over whether anything was written to
 * it since: a Delta source's version; for any other source the partitions the metastore registers
 * (values and location) and every file under its location and its partitions' locations, with size
 * and modification time.
 *
 * @param deltaVersion the Delta version, or null for a source that is not Delta
 * @param partitions each registered partition as {@code values at location}, sorted
 * @param files each file (a URI) with its size and modification time, sorted by file
 */
public record SourceState(Long deltaVersion, Set<String> partitions, Map<String, String> files) {
  /** How many names of changed files or partitions a message lists. */
  private static final int NAMED = 5;

  public SourceState {
    partitions = Set.copyOf(partitions);
    files = Map.copyOf(files);
  }

  /** The state of {@code source} now. */
  public static SourceState of(SparkSession spark, SourceInfo source) {
    requireNonNull(source, "source is null");
    if (source.format().equals("delta")) {
      long version =
          DeltaTable.forPath(spark, source.location())
              .history(1)
              .select("version")
              .first()
              .getLong(0);
      return new SourceState(version, Set.of(), Map.of());
    }
    List<String> roots = new ArrayList<>(List.of(source.location()));
    Set<String> partitions = new java.util.TreeSet<>();
    if (source.table() != null && !source.partitionColumns().isEmpty()) {
      PartitionLayout layout = PartitionLayout.of(spark, source.table());
      for (PartitionLayout.Partition partition : layout.partitions()) {
        partitions.add(partition.describe() + " at " + partition.location());
        if (!layout.insideTable(partition)) {
          roots.add(partition.location());
        }
      }
    }
    Map<String, String> files = new TreeMap<>();
    Configuration conf = spark.sessionState().newHadoopConf();
    for (String root : roots) {
      try {
        Path path = new Path(URI.create(root));
        FileSystem fileSystem = path.getFileSystem(conf);
        if (!fileSystem.exists(path)) {
          continue;
        }
        RemoteIterator<LocatedFileStatus> listing = fileSystem.listFiles(path, true);
        while (listing.hasNext()) {
          LocatedFileStatus file = listing.next();
          files.put(
              file.getPath().toString(),
              file.getLen()
                  + " bytes, modified "
                  + Instant.ofEpochMilli(file.getModificationTime()));
        }
      } catch (IOException e) {
        throw new MigrationException(
            ErrorClass.IO_ERROR, "Cannot list the files of " + root + ": " + e.getMessage(), e);
      }
    }
    return new SourceState(null, partitions, files);
  }

  /** What changed from this state to {@code now}, one phrase each; empty when nothing did. */
  public List<String> changesTo(SourceState now) {
    List<String> changes = new ArrayList<>();
    if (deltaVersion != null || now.deltaVersion != null) {
      if (!java.util.Objects.equals(deltaVersion, now.deltaVersion)) {
        changes.add("its Delta version went from " + deltaVersion + " to " + now.deltaVersion);
      }
      return changes;
    }
    describe(changes, "partitions added", minus(now.partitions, partitions));
    describe(changes, "partitions removed", minus(partitions, now.partitions));
    describe(changes, "files added", minus(now.files.keySet(), files.keySet()));
    describe(changes, "files removed", minus(files.keySet(), now.files.keySet()));
    Set<String> rewritten = new LinkedHashSet<>();
    for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
      String after = now.files.get(file.getKey());
      if (after != null && !after.equals(file.getValue())) {
        rewritten.add(file.getKey() + " (" + file.getValue() + ", now " + after + ")");
      }
    }
    describe(changes, "files rewritten", rewritten);
    return changes;
  }

  private static Set<String> minus(Set<String> from, Set<String> taken) {
    Set<String> rest = new java.util.TreeSet<>(from);
    rest.removeAll(taken);
    return rest;
  }

  private static void describe(List<String> changes, String what, Set<String> names) {
    if (names.isEmpty()) {
      return;
    }
    List<String> shown = names.stream().limit(NAMED).toList();
    changes.add(
        what
            + ": "
            + String.join(", ", shown)
            + (names.size() > NAMED ? " and " + (names.size() - NAMED) + " more" : ""));
  }
}
