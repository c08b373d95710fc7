package io.dsmigrate.job.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.delta.DeltaErrors;
import org.junit.jupiter.api.Test;

/**
 * dsmigrate's own tables are created by whichever application needs them first; partitions that
 * start at once on one metastore all try. A creation that finds the table's directory half written
 * by another one waits and tries again; a failure of another kind is not waited on.
 */
class OwnTablesTest extends SparkTestBase {
  @Test
  void aCreationThatFindsTheDirectoryHalfWrittenTriesAgainOnceItIsDone() throws Exception {
    spark().sql("CREATE DATABASE IF NOT EXISTS own_tables");
    // A first table, so that the one below meets the other creation within its first try.
    OwnTables.createIfMissing(spark(), "own_tables.first", "id INT", "made first");
    Path database =
        Path.of(java.net.URI.create(spark().catalog().getDatabase("own_tables").locationUri()));
    // Another application's creation under way: its Delta log started, nothing committed.
    Path halfWritten = Files.createDirectories(database.resolve("results").resolve("_delta_log"));
    CompletableFuture<Void> otherGivesUp =
        CompletableFuture.runAsync(
            () -> {
              try {
                Files.delete(halfWritten);
                Files.delete(halfWritten.getParent());
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS));

    OwnTables.createIfMissing(spark(), "own_tables.results", "id INT, status STRING", "test's");

    // Created only once the other one had given up, and not over its half-written log.
    assertThat(otherGivesUp).isDone();
    otherGivesUp.get();
    assertThat(spark().table("own_tables.results").columns()).containsExactly("id", "status");
    assertThat(spark().sql("DESCRIBE DETAIL own_tables.results").first().<String>getAs("format"))
        .isEqualTo("delta");
  }

  @Test
  void onlyTheFailuresOfSimultaneousCreationsAreWaitedOn() {
    assertThat(
            OwnTables.createdMeanwhile(
                DeltaErrors.createTableWithNonEmptyLocation("db.t", "file:/warehouse/db.db/t")))
        .isTrue();
    assertThat(
            OwnTables.createdMeanwhile(
                new RuntimeException(
                    new io.delta.exceptions.ProtocolChangedException("a concurrent update"))))
        .isTrue();
    assertThat(OwnTables.createdMeanwhile(new IllegalStateException("Permission denied")))
        .isFalse();
  }
}
