package io.dsmigrate.launcher.report;

import io.dsmigrate.job.results.ErrorClass;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to do about a failure: the advice its error message ends with ("Fix source.table in
 * specs/sales.yaml:3", "Check the transform in ..."), or what the error class's kind says when the
 * message gives none.
 */
final class Fixes {
  /** A sentence or clause of a message that starts with advice. */
  private static final Pattern ADVICE =
      Pattern.compile(
          "(?:^|[.;:]\\s+|,\\s+or\\s+|\\(\\s*)((?:Fix|Check|Plan again|Lift|Restore|Look at|Grant"
              + "|Give|Run|Remove|Drop|Raise|Use|Make)\\b.*)$",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private static final Pattern UNDONE = Pattern.compile("\\s*\\(changes undone\\)\\s*$");

  private Fixes() {}

  /** The advice in {@code message}, or null when it has none. */
  static String of(String message) {
    if (message == null) {
      return null;
    }
    // The earliest advice: what follows it belongs to it ("Fix X in Y (changes undone)").
    Matcher matcher = ADVICE.matcher(message);
    if (!matcher.find()) {
      return null;
    }
    // A failed dataset's message ends with what became of its changes: not part of the advice.
    String advice = UNDONE.matcher(matcher.group(1)).replaceFirst("").strip();
    return Character.toUpperCase(advice.charAt(0)) + advice.substring(1);
  }

  /** What the kind of an error class asks for, as a line; null for a class this version lacks. */
  static String forClass(String errorClass) {
    ErrorClass known;
    try {
      known = ErrorClass.valueOf(errorClass);
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
    return switch (known.kind()) {
      case USER ->
          "Fix the spec or the data as each dataset's message says, then run the plan again.";
      case EXTERNAL ->
          "Fix the environment (storage, permissions, metastore) as each dataset's message says;"
              + " running the plan again retries.";
      case INTERNAL ->
          "Read each dataset's message; when it names no cause, report it with the run id.";
    };
  }

  /** Whose move it is: USER, EXTERNAL or INTERNAL (null for a class this version lacks). */
  static String kindOf(String errorClass) {
    try {
      return ErrorClass.valueOf(errorClass).kind().name();
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }
}
