package io.dsmigrate.job.agent;

import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.utils.DataFileStatus;
import io.dsmigrate.job.results.ErrorClass;
import io.dsmigrate.validation.ComparisonResult;
import io.dsmigrate.validation.RowProfiler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.JobID;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.paths.SparkPath;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BasePredicate;
import org.apache.spark.sql.catalyst.expressions.Predicate;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The agent: one Spark task that migrates a chunk of small datasets, one after the other, each in
 * its own try: list the source's files, read them with Spark's Parquet reader, filter and project
 * them with the bound transform, write one Parquet file with Spark's writer while profiling the
 * rows, commit the Delta table with Delta Kernel (tagged), read the written file back, profile it,
 * compare. One dataset's failure never fails the task: what the agent wrote is removed (only that:
 * its own file and a log whose only commit carries its tag) and the dataset is handed back to the
 * Spark path, which reports the failure as it always does.
 */
final class AgentTask implements FlatMapFunction<Iterator<AgentWork>, AgentOutcome> {
  private static final long serialVersionUID = 1L;

  private final List<Binding> bindings;

  AgentTask(List<Binding> bindings) {
    this.bindings = List.copyOf(bindings);
  }

  @Override
  public Iterator<AgentOutcome> call(Iterator<AgentWork> works) {
    List<AgentOutcome> outcomes = new ArrayList<>();
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    while (works.hasNext()) {
      if (task != null) {
        task.killTaskIfInterrupted(); // a cancelled job starts no more datasets
      }
      AgentWork work = works.next();
      outcomes.add(migrate(work, bindings.get(work.binding())));
    }
    return outcomes.iterator();
  }

  static AgentOutcome migrate(AgentWork work, Binding binding) {
    long started = System.currentTimeMillis();
    Configuration conf = binding.writeConf.value();
    Path target = new Path(work.targetLocation());
    FileSystem fs;
    List<FileStatus> files;
    try {
      fs = target.getFileSystem(conf);
      if (fs.exists(target)) {
        // A task run again (its executor was lost) finds what its first run wrote: only the file
        // named after this attempt's tag, and a log whose only commit carries the tag. That is
        // removed and written again; anything else there is someone's, and the Spark path decides.
        if (!earlierRunOfThisAttempt(fs, target, dataFile(work), work.commitTag())) {
          return AgentOutcome.handedBack(work.datasetId(), "the target location exists", started);
        }
        undo(fs, target, dataFile(work), work.commitTag());
      }
      Path source = new Path(work.sourceLocation());
      files = new ArrayList<>();
      long bytes = 0;
      for (FileStatus status : source.getFileSystem(conf).listStatus(source)) {
        String name = status.getPath().getName();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue; // as Spark's file index skips them
        }
        if (status.isDirectory()) {
          return AgentOutcome.handedBack(
              work.datasetId(), "the source has directories (partitions)", started);
        }
        bytes += status.getLen();
        files.add(status);
      }
      if (bytes > work.maxBytes() || files.size() > work.maxFiles()) {
        return AgentOutcome.handedBack(
            work.datasetId(),
            "the source holds "
                + files.size()
                + " files of "
                + bytes
                + " bytes, more than the agent limits",
            started);
      }
    } catch (IOException | RuntimeException e) {
      return AgentOutcome.failed(work.datasetId(), "listing failed: " + e.getMessage(), e, started);
    }
    String dataFile = dataFile(work);
    boolean created = false;
    try {
      created = fs.mkdirs(target);
      TaskAttemptContextImpl context =
          new TaskAttemptContextImpl(
              conf, new TaskAttemptID(new TaskID(new JobID("dsmigrate", 0), TaskType.MAP, 0), 0));
      Path written = new Path(target, dataFile);
      OutputWriter writer =
          binding.writer.newInstance(written.toString(), binding.targetSchema, context);
      RowProfiler.Profile old;
      try {
        old = binding.profiler.profile(writing(transformed(binding, files), writer));
      } finally {
        writer.close();
      }
      FileStatus status = fs.getFileStatus(written);
      List<DataFileStatus> added = new ArrayList<>();
      if (old.rows() > 0) {
        added.add(
            new DataFileStatus(
                fs.makeQualified(written).toString(),
                status.getLen(),
                status.getModificationTime(),
                Optional.of(
                    new DataFileStatistics(
                        old.rows(), Map.of(), Map.of(), Map.of(), Optional.empty()))));
      } else {
        fs.delete(written, false); // an empty table has no data file, as on the Spark path
      }
      long version =
          KernelCommit.create(
              conf,
              fs.makeQualified(target).toString(),
              work.metadata().commented(binding.targetSchema),
              added,
              work.commitTag(),
              work.metadata());
      RowProfiler.Profile now =
          binding.profiler.profile(
              added.isEmpty()
                  ? java.util.Collections.emptyIterator()
                  : read(binding.targetReader, fs.getFileStatus(written)));
      Optional<ComparisonResult> same = binding.profiler.compare(old, now, work.key());
      return new AgentOutcome(
          work.datasetId(),
          same.isPresent() ? AgentOutcome.Kind.MIGRATED : AgentOutcome.Kind.DIFFERS,
          same.orElse(null),
          version,
          null,
          same.isPresent() ? null : "the written rows differ from the transformed source",
          false,
          started,
          System.currentTimeMillis(),
          null);
    } catch (Exception e) {
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      try {
        if (created) {
          undo(fs, target, dataFile, work.commitTag());
        }
        return AgentOutcome.failed(work.datasetId(), why, e, started);
      } catch (IOException | RuntimeException undoFailure) {
        return new AgentOutcome(
            work.datasetId(),
            AgentOutcome.Kind.FAILED,
            null,
            null,
            ErrorClass.ROLLBACK_FAILED,
            why + "; removing what the agent wrote failed too: " + undoFailure.getMessage(),
            false,
            started,
            System.currentTimeMillis(),
            e);
      }
    }
  }

  /**
   * The data file of an attempt: named after the UUID of its commit tag, so that only this attempt
   * (and a second run of its task) knows it, and can prove it wrote it.
   */
  static String dataFile(AgentWork work) {
    String tag = work.commitTag();
    return "part-00000-" + tag.substring(tag.lastIndexOf(' ') + 1) + "-c000.parquet";
  }

  /** Whether {@code target} holds nothing but what a run of this attempt wrote. */
  private static boolean earlierRunOfThisAttempt(
      FileSystem fs, Path target, String dataFile, String tag) throws IOException {
    if (!fs.getFileStatus(target).isDirectory()) {
      return false;
    }
    for (FileStatus status : fs.listStatus(target)) {
      String name = status.getPath().getName();
      boolean ours =
          name.equals(dataFile)
              || name.equals("." + dataFile + ".crc")
              || (name.equals("_delta_log") && status.isDirectory());
      if (!ours) {
        return false;
      }
    }
    return KernelCommit.onlyOurs(fs, target, tag);
  }

  /**
   * Removes what this attempt wrote at {@code target}, which it created: its data file, the log if
   * its only commit is this attempt's, and the directories if they are then empty. Anything else
   * found there is left, and the undo fails.
   */
  private static void undo(FileSystem fs, Path target, String dataFile, String tag)
      throws IOException {
    if (!KernelCommit.onlyOurs(fs, target, tag)) {
      throw new IOException(
          target + " holds commits that are not this attempt's; nothing of them was removed");
    }
    fs.delete(new Path(target, dataFile), false);
    Path log = new Path(target, "_delta_log");
    if (fs.exists(log)) {
      for (FileStatus status : fs.listStatus(log)) {
        fs.delete(status.getPath(), false);
      }
      fs.delete(log, false);
    }
    for (FileStatus status : fs.listStatus(target)) {
      String name = status.getPath().getName();
      if (name.startsWith(".") && name.endsWith(".crc") && name.contains(dataFile)) {
        fs.delete(status.getPath(), false);
      }
    }
    if (fs.listStatus(target).length > 0) {
      throw new IOException(target + " holds files this attempt did not write; they were kept");
    }
    fs.delete(target, false);
  }

  /** The source's rows, filtered and projected by the bound transform. */
  private static Iterator<InternalRow> transformed(Binding binding, List<FileStatus> files) {
    List<Object> steps = new ArrayList<>();
    for (Binding.Stage stage : binding.stages) {
      scala.collection.immutable.Seq<org.apache.spark.sql.catalyst.expressions.Attribute> input =
          CollectionConverters.asScala(stage.input()).toSeq();
      if (stage.filter()) {
        BasePredicate keep = Predicate.create(stage.expressions().get(0), input);
        keep.initialize(0);
        steps.add(keep);
      } else {
        steps.add(
            UnsafeProjection.create(
                CollectionConverters.asScala(stage.expressions()).toSeq(), input));
      }
    }
    Iterator<FileStatus> remaining = files.iterator();
    return new Iterator<>() {
      private Iterator<InternalRow> current = java.util.Collections.emptyIterator();
      private InternalRow next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          if (current.hasNext()) {
            InternalRow row = current.next();
            for (Object step : steps) {
              if (step instanceof BasePredicate keep) {
                if (!keep.eval(row)) {
                  row = null;
                  break;
                }
              } else {
                row = ((UnsafeProjection) step).apply(row);
              }
            }
            next = row;
          } else if (remaining.hasNext()) {
            current = read(binding.sourceReader, remaining.next());
          } else {
            return false;
          }
        }
        return true;
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        InternalRow row = next;
        next = null;
        return row;
      }
    };
  }

  /** Each row is written as it is handed on. */
  private static Iterator<InternalRow> writing(Iterator<InternalRow> rows, OutputWriter writer) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public InternalRow next() {
        InternalRow row = rows.next();
        writer.write(row);
        return row;
      }
    };
  }

  private static Iterator<InternalRow> read(
      scala.Function1<PartitionedFile, scala.collection.Iterator<InternalRow>> reader,
      FileStatus file) {
    PartitionedFile split =
        new PartitionedFile(
            InternalRow.empty(),
            SparkPath.fromPath(file.getPath()),
            0L,
            file.getLen(),
            new String[0],
            file.getModificationTime(),
            file.getLen(),
            scala.collection.immutable.Map$.MODULE$.empty());
    return CollectionConverters.asJava(reader.apply(split));
  }
}
