package io.dsmigrate.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in this JVM, as people and scripts call it, and keeps what it printed. */
final class Cli {
  private Cli() {}

  /** The exit code and what the command printed on standard output and standard error. */
  record Outcome(int code, String out, String err) {}

  /** A command ({@code args[0]}) with its arguments, run with {@code --workdir workdir}. */
  static Outcome dsmigrateIn(java.nio.file.Path workdir, String... args) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
    all.add(1, "--workdir");
    all.add(2, workdir.toString());
    return dsmigrate(all.toArray(String[]::new));
  }

  static Outcome dsmigrate(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = Dsmigrate.execute(args);
      return new Outcome(
          code,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
