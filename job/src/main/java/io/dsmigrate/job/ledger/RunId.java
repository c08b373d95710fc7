package io.dsmigrate.job.ledger;

import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The rule for run ids, checked wherever one enters (the command lines of the launcher and the job,
 * the job's arguments): letters, digits, {@code -}, {@code _} and {@code .}, not starting with
 * {@code .}, at most {@value #MAX_LENGTH} characters. A run id names files and directories (its
 * snapshots, its pause request) and goes into SQL as a value, so it must be a plain name.
 */
public final class RunId {
  /** The longest run id. */
  public static final int MAX_LENGTH = 100;

  private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

  private RunId() {}

  /**
   * {@code value}, when it is a run id.
   *
   * @throws IllegalArgumentException naming the value and the rule, when it is not
   */
  public static String check(String value) {
    if (value == null || value.length() > MAX_LENGTH || !RULE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "'"
              + value
              + "' is not a run id: use letters, digits, '-', '_' and '.' only, not starting with"
              + " '.', at most "
              + MAX_LENGTH
              + " characters (e.g. nightly-2026-11-24)");
    }
    return value;
  }

  /** Checks a run id given on a command line: a bad one is a usage error (exit 2). */
  public static final class Converter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        return check(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
