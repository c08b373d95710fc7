package io.dsmigrate.job.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dsmigrate.job.spec.DatasetSpec;
import io.dsmigrate.job.spec.SourceSpec;
import io.dsmigrate.job.spec.TargetSpec;
import io.dsmigrate.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

class FailuresTest extends SparkTestBase {
  private static final DatasetSpec SPEC =
      new DatasetSpec(
          "d",
          new SourceSpec("a.b", null, null),
          new TargetSpec("c.d", null, null, null),
          null,
          null,
          null,
          false,
          null);

  @Test
  void aCastThatFailsWhileWritingIsACastFailureNamingTheValue() {
    Throwable failure =
        catchThrowable(
            () ->
                spark()
                    .sql("SELECT CAST('abc' AS INT) AS x")
                    .write()
                    .format("delta")
                    .save(path("t")));
    MigrationException classified = Failures.classify(failure, SPEC, "write");
    assertThat(classified.errorClass()).isEqualTo(ErrorClass.CAST_FAILED);
    assertThat(classified.getMessage())
        .startsWith("Cannot migrate d (step write): ")
        .contains("'abc'");
  }

  @Test
  void ioErrorsAreRetryableAndUnknownOnesAreInternal() {
    assertThat(Failures.classify(new java.io.IOException("disk gone"), SPEC, "write").errorClass())
        .isEqualTo(ErrorClass.IO_ERROR);
    assertThat(ErrorClass.IO_ERROR.retryable()).isTrue();
    MigrationException internal =
        Failures.classify(new IllegalStateException("boom"), SPEC, "write");
    assertThat(internal.errorClass()).isEqualTo(ErrorClass.INTERNAL_ERROR);
    assertThat(internal.errorClass().retryable()).isFalse();
    assertThat(internal.getMessage())
        .isEqualTo("Cannot migrate d (step write): boom. See the driver log for the stack trace");
  }
}
