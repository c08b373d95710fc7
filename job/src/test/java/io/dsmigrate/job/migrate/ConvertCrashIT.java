package io.dsmigrate.job.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.ledger.HaltPoint;
import io.dsmigrate.job.ledger.Ledger;
import io.dsmigrate.job.ledger.LedgerEntry;
import io.dsmigrate.job.ledger.LedgerState;
import io.dsmigrate.job.plan.Plan;
import io.dsmigrate.job.plan.Planner;
import io.dsmigrate.job.spec.SpecLoader;
import io.dsmigrate.testing.SparkTestBase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A driver killed right after it converted a Parquet directory to Delta in place (before the
 * dataset's outcome was recorded): the next run undoes the conversion from the ledger and converts
 * again, so the directory ends converted once, by the run that recorded it, over the same files.
 */
class ConvertCrashIT extends SparkTestBase {
  @Test
  void aDriverKilledAfterConvertingIsRecoveredByTheNextRun() throws Exception {
    Path workdir = temp.resolve("work");
    spark()
        .range(30)
        .selectExpr("id", "concat('label-', id) AS label")
        .repartition(2)
        .write()
        .parquet(path("conv"));
    Map<String, String> files = digests(path("conv"));
    Path specs = temp.resolve("specs.yaml");
    Files.writeString(
        specs,
        "id: conv\nsource: { path: \"%s\", format: parquet }\ntarget: { path: \"%s\" }\n"
            .formatted(path("conv"), path("conv")));
    Plan plan = Planner.of(spark()).plan(SpecLoader.load(List.of(specs)).orThrow());
    Path planFile = temp.resolve("plan.json");
    plan.write(planFile);
    Ledger ledger =
        Ledger.open(workdir.resolve("ledger").toString(), "dsmigrate", new Configuration());

    Child killed = start(workdir, planFile, "crash-run", "conv:WRITTEN");
    assertThat(killed.awaitExit()).as(killed.output()).isEqualTo(HaltPoint.STATUS);
    assertThat(ledger.head("conv").state()).isEqualTo(LedgerState.WRITTEN);
    assertThat(new File(path("conv"), "_delta_log")).isDirectory();

    Child last = start(workdir, planFile, "crash-final", "");
    assertThat(last.awaitExit()).as(last.output()).isZero();

    List<LedgerState> states = ledger.history("conv").stream().map(LedgerEntry::state).toList();
    assertThat(states).contains(LedgerState.UNDOING);
    assertThat(ledger.head("conv").state()).isEqualTo(LedgerState.SUCCEEDED);
    assertThat(ledger.head("conv").result().snapshot()).startsWith("convert:");
    List<Row> history =
        spark()
            .sql("DESCRIBE HISTORY delta.`" + path("conv") + "`")
            .select("version", "operation", "userMetadata")
            .collectAsList();
    // The conversion, then the table's comment and properties (dsmigrate.*), both of the last run.
    assertThat(history).hasSize(2);
    assertThat(history)
        .extracting(row -> row.getString(1))
        .containsExactlyInAnyOrder("CONVERT", "SET TBLPROPERTIES");
    assertThat(history)
        .allSatisfy(row -> assertThat(row.getString(2)).startsWith("dsmigrate crash-final conv "));
    assertThat(spark().read().format("delta").load(path("conv")).count()).isEqualTo(30);
    Map<String, String> now = digests(path("conv"));
    now.keySet().removeIf(file -> file.startsWith("_delta_log"));
    assertThat(now).as("no data file was written or removed").isEqualTo(files);
  }

  private static Map<String, String> digests(String directory) throws Exception {
    Map<String, String> digests = new TreeMap<>();
    Path root = Path.of(directory);
    try (var walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        digests.put(
            root.relativize(file).toString(),
            HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
      }
    }
    return digests;
  }

  private Child start(Path workdir, Path planFile, String runId, String haltAfter)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        Arrays.asList(System.getProperty("dsmigrate.jvm.flags", "").trim().split("\\s+")));
    command.add("-Xmx1g");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dspark.ui.enabled=false");
    command.add("-Dspark.sql.shuffle.partitions=2");
    String logConfig = System.getProperty("log4j2.configurationFile");
    if (logConfig != null) {
      command.add("-Dlog4j2.configurationFile=" + logConfig);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(
        List.of(
            "io.dsmigrate.job.MigrationJobMain",
            "--plan",
            planFile.toString(),
            "--partition",
            "0",
            "--run-id",
            runId,
            "--workdir",
            workdir.toString(),
            "-Ddsmigrate.testing.halt-after=" + haltAfter));
    Path log = Files.createTempFile(temp, "child-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new Child(builder.start(), log);
  }

  /** A job run in its own JVM. */
  private record Child(Process process, Path log) {
    int awaitExit() throws Exception {
      assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("the job ended in time").isTrue();
      return process.exitValue();
    }

    String output() throws Exception {
      return Files.readString(log);
    }
  }
}
