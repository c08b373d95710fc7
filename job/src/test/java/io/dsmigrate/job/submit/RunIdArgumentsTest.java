package io.dsmigrate.job.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.job.MigrationJobMain;
import io.dsmigrate.job.ledger.RunId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A run id names files (snapshots, pause requests) and goes into SQL: the job takes only letters,
 * digits, '-', '_' and '.', and says so, before anything starts.
 */
class RunIdArgumentsTest {
  @TempDir Path temp;

  private static final String RULE =
      "is not a run id: use letters, digits, '-', '_' and '.' only, not starting with '.', at most"
          + " 100 characters (e.g. nightly-2026-11-24)";

  @Test
  void theJobRefusesABadRunIdAsAUsageErrorNamingTheValueAndTheRule() {
    for (String bad :
        new String[] {"../../tmp/x", "a b", "run'; DROP TABLE x; --", ".hidden", "x".repeat(101)}) {
      StringWriter err = new StringWriter();
      int code =
          new CommandLine(new MigrationJobMain())
              .setErr(new PrintWriter(err))
              .setExitCodeExceptionMapper(e -> 2)
              .execute("--plan", temp.resolve("plan.json").toString(), "--run-id", bad);
      assertThat(code).as(bad).isEqualTo(2);
      assertThat(err.toString())
          .as(bad)
          .contains("Invalid value for option '--run-id': '" + bad + "' " + RULE);
    }
  }

  @Test
  void runIdsOfTheUsualShapesAreAccepted() {
    for (String good :
        new String[] {
          "run-20261124-101500-ab12",
          "nightly-2026-11-24",
          "airflow-manual__2026-11-24T10-00-00",
          "v1.2_retry",
          "x".repeat(100)
        }) {
      assertThat(RunId.check(good)).isEqualTo(good);
    }
  }

  @Test
  void jobArgumentsForSparkSubmitRefuseABadRunId() {
    assertThatThrownBy(
            () ->
                new JobArguments(
                    temp.resolve("plan.json").toString(), 0, "../x", null, null, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'../x' " + RULE);
  }
}
