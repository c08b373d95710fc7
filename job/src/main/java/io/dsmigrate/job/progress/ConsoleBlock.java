package io.dsmigrate.job.progress;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.util.List;

/**
 * A block of lines at the bottom of a terminal, redrawn in place (ANSI cursor movement); lines
 * printed meanwhile go above it. Lines wider than the terminal are cut, not wrapped, so that the
 * block always takes as many rows as it has lines.
 */
final class ConsoleBlock {
  private static final String NO_WRAP = "\u001b[?7l";
  private static final String WRAP = "\u001b[?7h";

  private final PrintStream out;
  private List<String> shown = List.of();

  ConsoleBlock(PrintStream out) {
    this.out = requireNonNull(out, "out is null");
  }

  /** Replaces the block with {@code lines}. */
  synchronized void show(List<String> lines) {
    erase();
    draw(List.copyOf(lines));
  }

  /** Prints a line above the block. */
  synchronized void print(String line) {
    List<String> block = shown;
    erase();
    out.println(line);
    draw(block);
  }

  /** Removes the block. */
  synchronized void clear() {
    erase();
    out.flush();
  }

  private void erase() {
    if (!shown.isEmpty()) {
      // To the start of the block's first line, then clear to the end of the screen.
      out.print("\u001b[" + shown.size() + "F\u001b[J");
    }
    shown = List.of();
  }

  private void draw(List<String> lines) {
    if (lines.isEmpty()) {
      out.flush();
      return;
    }
    out.print(NO_WRAP);
    for (String line : lines) {
      out.println(line);
    }
    out.print(WRAP);
    out.flush();
    shown = lines;
  }
}
