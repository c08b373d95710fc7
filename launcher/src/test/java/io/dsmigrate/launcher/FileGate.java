package io.dsmigrate.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A function for transforms that holds each row while a file exists (at most ten minutes), so that
 * a run in another process stays at a known step until a test removes the file. Specs may not call
 * Java through {@code reflect}; {@link GatedRun} registers this one in the metastore, the way a
 * platform team registers its own functions.
 */
@SuppressWarnings("deprecation") // the simplest kind of Hive function is enough here
public final class FileGate extends org.apache.hadoop.hive.ql.exec.UDF {
  public String evaluate(String file) throws InterruptedException {
    long until = System.nanoTime() + 600_000_000_000L;
    while (Files.exists(Path.of(file)) && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    return file;
  }
}
