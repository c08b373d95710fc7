package io.dsmigrate.job.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.security.AccessControlException;
import org.junit.jupiter.api.Test;

/**
 * Storage failures that tests running as root cannot provoke for real (a denied permission), told
 * apart by the side they happened on; the rest are provoked for real in {@link BadInputTest}.
 */
class StorageFailuresTest {
  private static final DatasetSpec SPEC =
      new DatasetSpec(
          "orders",
          new SourceSpec(null, "hdfs://nn/data/orders", "parquet"),
          new TargetSpec(null, "hdfs://nn/warehouse/orders", null, null),
          null,
          null,
          null,
          false,
          null);
  private static final String SOURCE = "hdfs://nn/data/orders";
  private static final String TARGET = "hdfs://nn/warehouse/orders";

  private static MigrationException classify(Throwable failure) {
    return Failures.classify(
        new RuntimeException("job aborted", failure), SPEC, "migrate", SOURCE, TARGET);
  }

  @Test
  void aDeniedWriteIsAnUnwritableTargetAndADeniedReadAnUnreadableSource() {
    MigrationException write =
        classify(
            new AccessControlException(
                "Permission denied: user=bob, access=WRITE, inode=\"/warehouse/orders\""));
    assertThat(write.errorClass()).isEqualTo(ErrorClass.TARGET_UNWRITABLE);
    assertThat(write.getMessage())
        .isEqualTo(
            "Cannot migrate orders: cannot write target hdfs://nn/warehouse/orders at"
                + " hdfs://nn/warehouse/orders: Permission denied: user=bob,"
                + " access=WRITE, inode=\"/warehouse/orders\". The source is kept. Choose a target"
                + " that can be written in (no file), or fix the path or its permissions");

    MigrationException read =
        classify(
            new AccessControlException(
                "Permission denied: user=bob, access=READ_EXECUTE, inode=\"/data/orders\""));
    assertThat(read.errorClass()).isEqualTo(ErrorClass.SOURCE_UNREADABLE);
    assertThat(read.getMessage())
        .startsWith(
            "Cannot migrate orders: cannot read source hdfs://nn/data/orders: Permission denied")
        .endsWith(
            "Make it readable for the job (permissions, file system configuration), or fix"
                + " source in (no file)");

    assertThat(
            classify(new FileNotFoundException("/data/orders/part-0.parquet (Permission denied)"))
                .errorClass())
        .as("the local file system's way of saying it")
        .isEqualTo(ErrorClass.SOURCE_UNREADABLE);
  }

  @Test
  void onlyFailuresThatCanPassAreRetried() {
    MigrationException transient_ = classify(new IOException("Connection reset by peer"));
    assertThat(transient_.errorClass()).isEqualTo(ErrorClass.IO_ERROR);
    assertThat(transient_.errorClass().retryable()).isTrue();
    for (ErrorClass stays :
        new ErrorClass[] {
          ErrorClass.SOURCE_CORRUPT,
          ErrorClass.SOURCE_UNREADABLE,
          ErrorClass.TARGET_UNWRITABLE,
          ErrorClass.SCHEMA_DRIFT,
          ErrorClass.NOT_ALLOWED
        }) {
      assertThat(stays.retryable()).as(stays.name()).isFalse();
    }
    assertThat(ErrorClass.SOURCE_CORRUPT.kind()).isEqualTo(ErrorClass.Kind.USER);
    assertThat(ErrorClass.SCHEMA_DRIFT.kind()).isEqualTo(ErrorClass.Kind.USER);
    assertThat(ErrorClass.NOT_ALLOWED.kind()).isEqualTo(ErrorClass.Kind.USER);
    assertThat(ErrorClass.SOURCE_UNREADABLE.kind()).isEqualTo(ErrorClass.Kind.EXTERNAL);
    assertThat(ErrorClass.TARGET_UNWRITABLE.kind()).isEqualTo(ErrorClass.Kind.EXTERNAL);
  }
}
