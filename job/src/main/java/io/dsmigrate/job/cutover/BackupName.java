package io.dsmigrate.job.cutover;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pattern that names the backup of a table that was cut over ({@code
 * dsmigrate.cutover.backup-name}), e.g. {@code {table}__bak_{date}}. Placeholders: {@code {table}}
 * (the table's name, without its database), {@code {run}} (the run id) and {@code {date}} (the day
 * of the cut-over, {@code yyyymmdd}, UTC). Values are lower-cased and every character other than
 * {@code a-z}, {@code 0-9} and {@code _} becomes {@code _}, so that a name works in catalogs that
 * keep names in lower case only (the Hive metastore does).
 *
 * @param pattern the pattern, checked when it is made
 */
public record BackupName(String pattern) {
  /** Longest table name every Hive metastore schema holds (Hive 2 and later allow 256). */
  public static final int MAX_LENGTH = 128;

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
  private static final Set<String> PLACEHOLDERS = Set.of("table", "run", "date");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

  /**
   * @throws IllegalArgumentException when the pattern cannot give a valid name; the message says
   *     what to change
   */
  public BackupName {
    requireNonNull(pattern, "pattern is null");
    check(pattern);
  }

  /**
   * The backup name of {@code table} (without its database) cut over by {@code runId} on {@code
   * day}.
   */
  public String of(String table, String runId, LocalDate day) {
    String name =
        pattern
            .replace("{table}", sanitize(table))
            .replace("{run}", sanitize(runId))
            .replace("{date}", DAY.format(day));
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "the backup name "
              + name
              + " is "
              + name.length()
              + " characters long; metastores take "
              + MAX_LENGTH
              + " at most. Shorten dsmigrate.cutover.backup-name ("
              + pattern
              + ")");
    }
    return name;
  }

  private static String sanitize(String value) {
    return value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  private static void check(String pattern) {
    Matcher placeholders = PLACEHOLDER.matcher(pattern);
    StringBuilder literal = new StringBuilder();
    int end = 0;
    // The shortest name the pattern gives: a one-character table name and run id, an 8-digit date.
    int shortest = 0;
    boolean hasTable = false;
    while (placeholders.find()) {
      literal.append(pattern, end, placeholders.start());
      String name = placeholders.group(1);
      if (!PLACEHOLDERS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown placeholder {" + name + "} in '" + pattern + "'; use {table}, {run}, {date}");
      }
      hasTable |= name.equals("table");
      shortest += name.equals("date") ? 8 : 1;
      end = placeholders.end();
    }
    literal.append(pattern.substring(end));
    shortest += literal.length();
    for (char c : literal.toString().toCharArray()) {
      if (Character.isUpperCase(c)) {
        throw new IllegalArgumentException(
            "'"
                + pattern
                + "' has the upper-case '"
                + c
                + "': the Hive metastore keeps table names in lower case only. Write it in lower case");
      }
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
        throw new IllegalArgumentException(
            "'"
                + pattern
                + "' has '"
                + c
                + "': a table name may hold only lower-case letters, digits and _ (besides the"
                + " placeholders {table}, {run}, {date})");
      }
    }
    if (!hasTable) {
      throw new IllegalArgumentException(
          "'"
              + pattern
              + "' has no {table}: the backups of every table of a database would share one name."
              + " Add {table}, e.g. {table}__bak_{date}");
    }
    if (pattern.equals("{table}")) {
      throw new IllegalArgumentException(
          "'"
              + pattern
              + "' names a backup like its table; add something, e.g. {table}__bak_{date}");
    }
    if (shortest > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "'" + pattern + "' gives names longer than " + MAX_LENGTH + " characters; shorten it");
    }
  }
}
