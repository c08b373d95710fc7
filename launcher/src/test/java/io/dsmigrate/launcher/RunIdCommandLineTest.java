package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.launcher.Cli.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that takes a run id refuses one that is not letters, digits, '-', '_' and '.': a
 * usage error (exit 2) naming the value and the rule, before anything is read, written or started.
 */
class RunIdCommandLineTest {
  @TempDir Path temp;

  private Outcome dsmigrate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--workdir");
    all.add(2, temp.resolve("work").toString());
    return Cli.dsmigrate(all.toArray(String[]::new));
  }

  private static final String RULE =
      "is not a run id: use letters, digits, '-', '_' and '.' only, not starting with '.', at most"
          + " 100 characters (e.g. nightly-2026-11-24)";

  @Test
  void everyCommandRefusesABadRunIdAsAUsageErrorAndWritesNothing() throws Exception {
    Path specs = Files.createDirectories(temp.resolve("specs"));
    Path plan = temp.resolve("plan.json");
    String[][] commands = {
      {"run", "--specs", specs.toString(), "--run-id", "../escape"},
      {"run", "--plan", plan.toString(), "--run-id", "a b"},
      {"submit", "--plan", plan.toString(), "--master", "local[1]", "--run-id", "x;rm -rf y"},
      {"pause", "--run", "../escape"},
      {"resume", "--run", ".hidden"},
      {"rollback", "--run", "it's"},
      {"status", "--run", "x\ny"},
      {"drop-backups", "--run", "x/../y"},
    };
    for (String[] command : commands) {
      String bad = command[command.length - 1];
      Outcome outcome = dsmigrate(command);
      assertThat(outcome.code()).as(String.join(" ", command)).isEqualTo(2);
      assertThat(outcome.err())
          .as(String.join(" ", command))
          .contains("Invalid value for option '" + command[command.length - 2] + "': '" + bad)
          .contains(RULE);
    }
    // Nothing was started or written: no workdir, no pause request anywhere.
    assertThat(temp.resolve("work")).doesNotExist();
    try (Stream<Path> files = Files.walk(temp)) {
      assertThat(files.filter(p -> p.toString().endsWith(".pause"))).isEmpty();
    }
  }
}
