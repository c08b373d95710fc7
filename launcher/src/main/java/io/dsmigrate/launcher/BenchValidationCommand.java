package io.dsmigrate.launcher;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import io.dsmigrate.job.Settings;
import io.dsmigrate.validation.ComparisonResult;
import io.dsmigrate.validation.DatasetComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "bench-validation",
    mixinStandardHelpOptions = true,
    description = {
      "Times, in the same run on the same Delta tables of N rows, dsmigrate's validation against the",
      "two usual ways: (a) counts plus exceptAll both ways, (b) a full outer join on the key comparing",
      "every column (the datacompy approach). Two cases: equal tables (written with another file",
      "layout), and tables with a few hundred scattered differences (changed cells, missing and",
      "duplicated rows). Prints rows/second (rows of both sides per second) and the ratios, and checks",
      "that every method found the same differences. Uses its own workdir by default; data is kept",
      "for reruns."
    })
final class BenchValidationCommand implements Callable<Integer> {
  private static final String[] COLUMNS = {
    "id", "customer", "region", "amount", "price", "day", "note"
  };

  private static final long WARM_UP_ROWS = 200_000;

  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--rows",
      defaultValue = "10000000",
      description = "Rows per table (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = {
        "Times dsmigrate's keyed diff and the full outer join this many times each, alternating, and",
        "reports the median of each (default: ${DEFAULT-VALUE}); every other method runs once."
      })
  int runs;

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new ParameterException(spec.commandLine(), "--runs must be 1 or more, got " + runs);
    }
    if (common.workdir == null) {
      common.workdir = "dsmigrate-bench";
    }
    Settings settings = common.settings();
    SparkSession spark = Sessions.start(settings, "bench-validation");
    Path data =
        settings
            .locations()
            .local(settings.workdir(), "bench-validation's workdir")
            .resolve("bench-validation")
            .resolve(Long.toString(rows));
    Dataset<Row> old = table(spark, data.resolve("old"), generated(spark, 8, rows), settings);
    Dataset<Row> same = table(spark, data.resolve("same"), generated(spark, 5, rows), settings);
    Dataset<Row> changed =
        table(spark, data.resolve("changed"), withDifferences(spark, rows), settings);

    // Warm up the JIT: every method, on tables of the same shape with 200,000 rows (the timed
    // tables themselves when not larger), read the same way, so the same code runs; not timed.
    Dataset<Row> oldStart = old;
    Dataset<Row> sameStart = same;
    Dataset<Row> changedStart = changed;
    if (rows > WARM_UP_ROWS) {
      Path start = data.resolve("warm-up");
      oldStart = table(spark, start.resolve("old"), generated(spark, 8, WARM_UP_ROWS), settings);
      sameStart = table(spark, start.resolve("same"), generated(spark, 5, WARM_UP_ROWS), settings);
      changedStart =
          table(spark, start.resolve("changed"), withDifferences(spark, WARM_UP_ROWS), settings);
    }
    DatasetComparison.of(oldStart, sameStart).execute();
    keyedDiff(oldStart, changedStart);
    fullOuterJoin(oldStart, changedStart);
    DatasetComparison.of(oldStart, changedStart).execute();
    exceptAll(oldStart, changedStart);
    for (Dataset<Row> side : List.of(old, same, changed)) {
      side.selectExpr("count(*)", "max(note)").collect();
    }

    System.out.printf(
        "Validation benchmark: %,d rows per side, %d cores, Spark %s%n",
        rows, Runtime.getRuntime().availableProcessors(), settings.sparkMaster());

    System.out.println("Equal tables (same rows, other file layout):");
    Timed<ComparisonResult> dsmEqual = time(() -> DatasetComparison.of(old, same).execute());
    Timed<long[]> exceptEqual = time(() -> exceptAll(old, same));
    boolean equalAgree =
        dsmEqual.value.equal() && exceptEqual.value[2] == 0 && exceptEqual.value[3] == 0;
    print("dsmigrate (one scan per side)", dsmEqual.seconds, 2 * rows);
    print("counts + exceptAll both ways", exceptEqual.seconds, 2 * rows);
    System.out.printf(
        "  ratio exceptAll / dsmigrate: %.2fx   (all report equal: %s)%n",
        exceptEqual.seconds / dsmEqual.seconds, equalAgree);

    long changedRows = changed.count();
    System.out.println("Tables with scattered differences:");
    // The ratio at stake: both timed several times, alternating, so a slow moment of the machine
    // does not fall on one method alone.
    List<Timed<ComparisonResult>> keyedRuns = new ArrayList<>();
    List<Timed<long[]>> joinRuns = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      keyedRuns.add(time(() -> keyedDiff(old, changed)));
      joinRuns.add(time(() -> fullOuterJoin(old, changed)));
    }
    Timed<ComparisonResult> dsmDiff = median(keyedRuns);
    Timed<long[]> join = median(joinRuns);
    boolean runsAgree =
        keyedRuns.stream().allMatch(run -> run.value.equals(dsmDiff.value))
            && joinRuns.stream().allMatch(run -> Arrays.equals(run.value, join.value));
    Timed<ComparisonResult> dsmKeyless = time(() -> DatasetComparison.of(old, changed).execute());
    Timed<long[]> exceptDiff = time(() -> exceptAll(old, changed));
    // What no exact comparison can go below: reading and decoding every value of both sides once.
    Timed<Long> floor =
        time(
            () -> {
              old.unionByName(changed).write().format("noop").mode("overwrite").save();
              return 0L;
            });
    ComparisonResult found = dsmDiff.value;
    boolean diffAgree =
        found.rowsMissing() == exceptDiff.value[2]
            && found.rowsExtra() == exceptDiff.value[3]
            && dsmKeyless.value.rowsMissing() == exceptDiff.value[2]
            && dsmKeyless.value.rowsExtra() == exceptDiff.value[3]
            && found.keysOnlyOld() == join.value[0]
            && found.rowsChanged() == join.value[2]
            && runsAgree;
    print("dsmigrate keyed diff (+ columns, samples)", dsmDiff.seconds, rows + changedRows);
    print("full outer join on id, every column", join.seconds, rows + changedRows);
    if (runs > 1) {
      List<String> pairs = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        pairs.add(
            String.format(
                "%.1f / %.1f s (%.2fx)",
                keyedRuns.get(run).seconds,
                joinRuns.get(run).seconds,
                joinRuns.get(run).seconds / keyedRuns.get(run).seconds));
      }
      System.out.printf(
          "    (medians of %d runs each; keyed diff / join run by run: %s)%n",
          runs, String.join(", ", pairs));
    }
    print("dsmigrate keyless diff", dsmKeyless.seconds, rows + changedRows);
    print("counts + exceptAll both ways", exceptDiff.seconds, rows + changedRows);
    System.out.printf(
        "  ratio full outer join / dsmigrate keyed: %.2fx; exceptAll / dsmigrate keyless: %.2fx%n",
        join.seconds / dsmDiff.seconds, exceptDiff.seconds / dsmKeyless.seconds);
    System.out.printf(
        "  floor: reading every value of both sides once, as rows, takes %.1f s; the join takes"
            + " %.2fx that, dsmigrate keyed %.2fx, keyless %.2fx (a keyed diff 2x faster than the"
            + " join would take %.1f s)%n",
        floor.seconds,
        join.seconds / floor.seconds,
        dsmDiff.seconds / floor.seconds,
        dsmKeyless.seconds / floor.seconds,
        join.seconds / 2);
    System.out.printf(
        "  found: %d changed keys (columns %s), %d keys only in old, %d duplicate keys; missing=%d"
            + " extra=%d (exceptAll: %d / %d); all methods agree: %s%n",
        found.rowsChanged(),
        found.columnsDiffering(),
        found.keysOnlyOld(),
        found.duplicateKeys(),
        found.rowsMissing(),
        found.rowsExtra(),
        exceptDiff.value[2],
        exceptDiff.value[3],
        diffAgree);
    return equalAgree && diffAgree ? Dsmigrate.OK : Dsmigrate.SOME_FAILED;
  }

  private static Dataset<Row> generated(SparkSession spark, int partitions, long rows) {
    return spark
        .range(0, rows, 1, partitions)
        .selectExpr(
            "id",
            "CAST(id % 100000 AS INT) AS customer",
            "element_at(array('north', 'south', 'east', 'west'), CAST(id % 4 AS INT) + 1) AS region",
            "CAST(id % 100000 / 100.0 AS DECIMAL(18,2)) AS amount",
            "id * 0.37D AS price",
            "date_add(DATE'2020-01-01', CAST(id % 1500 AS INT)) AS day",
            "CASE WHEN id % 11 = 0 THEN NULL ELSE concat('note-', id) END AS note");
  }

  /** About 300 changed cells, 100 missing rows and 100 duplicated rows per 10 million. */
  private static Dataset<Row> withDifferences(SparkSession spark, long rows) {
    Dataset<Row> base = generated(spark, 6, rows);
    Dataset<Row> edited =
        base.where("id % 100003 <> 11")
            .selectExpr(
                "id",
                "customer",
                "region",
                "CASE WHEN id % 33331 = 5 THEN amount + 0.01 ELSE amount END AS amount",
                "price",
                "day",
                "CASE WHEN id % 99991 = 3 THEN concat(note, ' ') ELSE note END AS note")
            .selectExpr(
                "id",
                "customer",
                "region",
                "CAST(amount AS DECIMAL(18,2)) AS amount",
                "price",
                "day",
                "note");
    return edited.unionByName(base.where("id % 100019 = 13"));
  }

  private static Dataset<Row> table(
      SparkSession spark, Path location, Dataset<Row> rows, Settings settings) throws Exception {
    if (!Files.isDirectory(location.resolve("_delta_log"))) {
      System.out.printf("Writing %s ...%n", location);
      rows.write().format("delta").mode("overwrite").save(location.toString());
    }
    return spark.read().format("delta").load(location.toString());
  }

  /** dsmigrate's keyed diff on id, with per-column counts and 20 samples (written nowhere). */
  private static ComparisonResult keyedDiff(Dataset<Row> old, Dataset<Row> now) {
    return DatasetComparison.of(old, now)
        .key(List.of("id"))
        .samples(20, samples -> samples.write().format("noop").mode("overwrite").save())
        .execute();
  }

  /** old count, new count, rows of old not in new, rows of new not in old. */
  private static long[] exceptAll(Dataset<Row> old, Dataset<Row> now) {
    return new long[] {
      old.count(), now.count(), old.exceptAll(now).count(), now.exceptAll(old).count()
    };
  }

  /**
   * Keys only in old, keys only in new, keys in both whose rows differ, then per column the rows
   * that differ: a full outer join on id with a null-safe comparison of every column.
   */
  private static long[] fullOuterJoin(Dataset<Row> old, Dataset<Row> now) {
    List<Column> oldColumns = new ArrayList<>();
    List<Column> newColumns = new ArrayList<>();
    for (String name : COLUMNS) {
      oldColumns.add(col(name).as("o_" + name));
      newColumns.add(col(name).as("n_" + name));
    }
    Dataset<Row> joined =
        old.select(oldColumns.toArray(Column[]::new))
            .join(
                now.select(newColumns.toArray(Column[]::new)),
                col("o_id").equalTo(col("n_id")),
                "full_outer");
    Column both = col("o_id").isNotNull().and(col("n_id").isNotNull());
    Column anyDiffers = lit(false);
    List<Column> figures = new ArrayList<>();
    figures.add(count(when(col("n_id").isNull(), lit(1))));
    figures.add(count(when(col("o_id").isNull(), lit(1))));
    List<Column> perColumn = new ArrayList<>();
    for (String name : COLUMNS) {
      Column differs = both.and(not(col("o_" + name).eqNullSafe(col("n_" + name))));
      anyDiffers = anyDiffers.or(differs);
      perColumn.add(count(when(differs, lit(1))));
    }
    figures.add(count(when(anyDiffers, lit(1))));
    figures.addAll(perColumn);
    Row row =
        joined
            .agg(figures.get(0), figures.subList(1, figures.size()).toArray(Column[]::new))
            .first();
    long[] out = new long[row.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = row.getLong(i);
    }
    return out;
  }

  private record Timed<T>(T value, double seconds) {}

  /** The run of median time (of an even number of runs, the mean time of the middle two). */
  private static <T> Timed<T> median(List<Timed<T>> runs) {
    List<Timed<T>> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(Timed::seconds));
    Timed<T> middle = sorted.get(sorted.size() / 2);
    if (sorted.size() % 2 == 1) {
      return middle;
    }
    double lower = sorted.get(sorted.size() / 2 - 1).seconds;
    return new Timed<>(middle.value, (lower + middle.seconds) / 2);
  }

  /** Times {@code work}, started on a collected heap so no method pays for another's garbage. */
  private static <T> Timed<T> time(Supplier<T> work) {
    System.gc();
    long start = System.nanoTime();
    T value = work.get();
    return new Timed<>(value, (System.nanoTime() - start) / 1e9);
  }

  private static void print(String label, double seconds, long rowsCompared) {
    System.out.printf("  %-45s %8.1f s  %,14.0f rows/s%n", label, seconds, rowsCompared / seconds);
  }
}
