package io.dsmigrate.job.security;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * dsmigrate's own state, which no spec may read or write: every table of the results database
 * (migration_results, diff_samples, dropped_backups and anything else in it), and the directories
 * that hold the ledger, snapshots, pause requests, plans, the embedded metastore and the results
 * database's files. A spec that names one is a spec problem when it loads, and fails with
 * NOT_ALLOWED when it runs (a plan may be edited by hand or written with other settings), tables
 * checked at their metastore locations then.
 *
 * <p>Locations are compared as {@link AllowedLocations} compares them (absolute, normalized, local
 * links resolved, whole path segments), in both directions: a location inside a reserved directory
 * is refused, and so is one that holds it (writing or clearing it would take the state with it).
 *
 * @param resultsDatabase the results database ({@code dsmigrate.results.database}), or null when
 *     none is reserved
 * @param directories what each reserved directory holds (as words, with the setting that places it)
 *     and its location (a path or a URI), in order
 */
public record ReservedLocations(String resultsDatabase, Map<String, String> directories) {
  /** Nothing reserved (tests of spec rules that do not concern dsmigrate's state). */
  public static final ReservedLocations NONE = new ReservedLocations(null, Map.of());

  public ReservedLocations {
    resultsDatabase = resultsDatabase == null ? null : resultsDatabase.toLowerCase(Locale.ROOT);
    directories =
        java.util.Collections.unmodifiableMap(
            new LinkedHashMap<>(requireNonNull(directories, "directories is null")));
  }

  /** The tables of {@code resultsDatabase}, and no directory yet. */
  public static ReservedLocations of(String resultsDatabase) {
    return new ReservedLocations(
        requireNonNull(resultsDatabase, "resultsDatabase is null"), Map.of());
  }

  /** A copy that also reserves {@code location}, which holds {@code what}. */
  public ReservedLocations with(String what, String location) {
    Map<String, String> more = new LinkedHashMap<>(directories);
    more.put(requireNonNull(what, "what is null"), requireNonNull(location, "location is null"));
    return new ReservedLocations(resultsDatabase, more);
  }

  /**
   * Null when a spec may read or write {@code table} ({@code db.name}, or a name in {@code
   * default}); else why not, as words.
   */
  public String tableRefusal(String table) {
    if (resultsDatabase == null || table == null) {
      return null;
    }
    String name = table.trim().replace("`", "").toLowerCase(Locale.ROOT);
    String database = name.contains(".") ? name.substring(0, name.indexOf('.')) : "default";
    if (!database.equals(resultsDatabase)) {
      return null;
    }
    return table
        + " is in dsmigrate's results database "
        + resultsDatabase
        + " (dsmigrate.results.database), which holds dsmigrate's own tables (migration_results,"
        + " diff_samples, dropped_backups); a spec cannot read or write any table of it. Choose"
        + " a table in another database";
  }

  /** Null when a spec may read or write at {@code location} (a path or URI); else why not. */
  public String locationRefusal(String location) {
    return locationRefusal(location, location);
  }

  /**
   * Null when a spec may read or write at {@code location} (a path or URI); else why not, about
   * {@code subject} (the location itself, or the table that is there).
   */
  public String locationRefusal(String location, String subject) {
    if (location == null || directories.isEmpty()) {
      return null;
    }
    URI candidate;
    try {
      candidate = AllowedLocations.canonical(location);
    } catch (IllegalArgumentException e) {
      return null; // not a location: the checks of paths report it
    }
    for (Map.Entry<String, String> reserved : directories.entrySet()) {
      URI directory;
      try {
        directory = AllowedLocations.canonical(reserved.getValue());
      } catch (IllegalArgumentException e) {
        continue;
      }
      boolean inside = AllowedLocations.under(candidate, directory);
      if (inside || AllowedLocations.under(directory, candidate)) {
        return subject
            + (inside ? " is in " : " holds ")
            + reserved.getKey()
            + " ("
            + directory
            + "), which is dsmigrate's own state; a spec cannot read or write "
            + (inside ? "there" : "a directory that holds it")
            + ". Choose another location";
      }
    }
    return null;
  }
}
