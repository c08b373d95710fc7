package io.dsmigrate.job.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.util.List;

/**
 * What specs may make dsmigrate do ({@code dsmigrate.security.*}). Checked when specs load (a spec
 * problem with its {@code file:line}) and again when a dataset runs, since a job may run a plan
 * written long before, elsewhere, or with other settings.
 *
 * @param allowFileReads whether a transform may read files directly ({@code parquet.`/path`}); even
 *     then only under {@code pathRoots}
 * @param scriptLocations where {@code transform.script} files may come from (path or URI prefixes);
 *     empty: only the directory of the spec file that names the script, and below
 * @param pathRoots where source and target paths may be (path or URI prefixes); empty: anywhere
 */
public record SecuritySettings(
    boolean allowFileReads, List<String> scriptLocations, List<String> pathRoots) {
  /** The defaults of {@code reference.conf}. */
  public static final SecuritySettings DEFAULT = new SecuritySettings(false, List.of(), List.of());

  public SecuritySettings {
    scriptLocations = scriptLocations == null ? List.of() : List.copyOf(scriptLocations);
    pathRoots = pathRoots == null ? List.of() : List.copyOf(pathRoots);
  }

  /** Reads and checks the settings under {@code dsmigrate} ({@code config}). */
  public static SecuritySettings from(Config config) {
    return new SecuritySettings(
        config.getBoolean("security.allow-file-reads"),
        locations(config, "security.script-locations"),
        locations(config, "security.path-roots"));
  }

  /** The allowed source and target locations. */
  public AllowedLocations roots() {
    return AllowedLocations.of(pathRoots);
  }

  /** Null when a source or target may be at {@code path}; else why not, as words. */
  public String pathRefusal(String path) {
    AllowedLocations roots = roots();
    return roots.allows(path)
        ? null
        : path + " is not under dsmigrate.security.path-roots (" + roots.describe() + ")";
  }

  /**
   * Null when a script may be read from {@code script} (a path or URI) for a spec in {@code
   * specFile} (null when not known); else why not, as words.
   */
  public String scriptRefusal(String script, String specFile) {
    if (!scriptLocations.isEmpty()) {
      AllowedLocations allowed = AllowedLocations.of(scriptLocations);
      return allowed.allows(script)
          ? null
          : "script "
              + script
              + " is not under dsmigrate.security.script-locations ("
              + allowed.describe()
              + ")";
    }
    String directory =
        specFile == null ? null : Path.of(specFile).toAbsolutePath().getParent().toString();
    if (directory != null && AllowedLocations.of(List.of(directory)).allows(script)) {
      return null;
    }
    return "script "
        + script
        + " is not in "
        + (directory == null ? "the directory of its spec file" : directory)
        + ", the directory of its spec file, where scripts are read from unless"
        + " dsmigrate.security.script-locations names other places";
  }

  private static List<String> locations(Config config, String path) {
    List<String> locations = config.getStringList(path);
    for (String location : locations) {
      try {
        AllowedLocations.of(List.of(location));
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(
            config.getValue(path).origin(), "dsmigrate." + path, e.getMessage());
      }
    }
    return locations;
  }
}
