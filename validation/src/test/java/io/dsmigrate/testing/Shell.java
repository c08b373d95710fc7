package io.dsmigrate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real shell (bash), to check that a printed command line reads back into its arguments. */
public final class Shell {
  private Shell() {}

  /** The words bash makes of {@code line}, after quotes and escapes are resolved. */
  public static List<String> words(String line) {
    try {
      Process shell =
          new ProcessBuilder(
                  "bash", "-c", "eval \"set -- $1\"; printf '%s\\0' \"$@\"", "bash", line)
              .redirectErrorStream(true)
              .start();
      String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!shell.waitFor(30, TimeUnit.SECONDS) || shell.exitValue() != 0 || out.isEmpty()) {
        throw new AssertionError("bash cannot read the line back: " + out + "\n" + line);
      }
      return List.of(out.substring(0, out.length() - 1).split("\0", -1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
