package io.dsmigrate.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code dsmigrate run} in a process of its own, with {@link FileGate} registered first in its
 * metastore as {@code default.file_gate}: {@code GatedRun --workdir W [run options]}.
 */
public final class GatedRun {
  private GatedRun() {}

  public static void main(String[] args) {
    int registered =
        Dsmigrate.execute(
            "sql",
            args[0],
            args[1],
            "CREATE FUNCTION IF NOT EXISTS default.file_gate AS '"
                + FileGate.class.getName()
                + "'");
    if (registered != Dsmigrate.OK) {
      System.exit(registered);
    }
    List<String> run = new ArrayList<>(List.of("run"));
    run.addAll(List.of(args));
    System.exit(Dsmigrate.execute(run.toArray(String[]::new)));
  }
}
