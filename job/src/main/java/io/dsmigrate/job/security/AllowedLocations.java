package io.dsmigrate.job.security;

import io.dsmigrate.job.fs.Locations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A list of path or URI prefixes a location must be under ({@code dsmigrate.security.path-roots},
 * {@code dsmigrate.security.script-locations}). Both sides are compared in a canonical form: an
 * absolute URI, {@code .} and {@code ..} resolved, and on the local file system every symbolic link
 * resolved, so that neither {@code /allowed/../etc} nor a link inside an allowed directory that
 * points out of it passes. A prefix matches whole path segments ({@code /data} does not allow
 * {@code /database}).
 */
public final class AllowedLocations {
  private final List<String> given;
  private final List<URI> prefixes;

  private AllowedLocations(List<String> given, List<URI> prefixes) {
    this.given = List.copyOf(given);
    this.prefixes = List.copyOf(prefixes);
  }

  /**
   * The prefixes {@code locations}: paths (without a scheme: on the default file system, {@link
   * Locations}) or URIs.
   *
   * @throws IllegalArgumentException for one that is blank or not a path or URI
   */
  public static AllowedLocations of(List<String> locations) {
    List<URI> prefixes = new ArrayList<>();
    for (String location : locations) {
      if (location == null || location.isBlank()) {
        throw new IllegalArgumentException("an empty location; give a path or a URI prefix");
      }
      prefixes.add(canonical(location));
    }
    return new AllowedLocations(locations, prefixes);
  }

  /** No prefixes: nothing is restricted. */
  public boolean unrestricted() {
    return prefixes.isEmpty();
  }

  /** Whether {@code location} (a path or a URI) is under one of the prefixes. */
  public boolean allows(String location) {
    if (unrestricted()) {
      return true;
    }
    URI candidate;
    try {
      candidate = canonical(location);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return prefixes.stream().anyMatch(prefix -> under(candidate, prefix));
  }

  /** The prefixes as configured, for messages. */
  public String describe() {
    return String.join(", ", given);
  }

  /** Whether {@code candidate} is {@code prefix} or below it, by whole path segments. */
  static boolean under(URI candidate, URI prefix) {
    if (!prefix.getScheme().equalsIgnoreCase(candidate.getScheme())
        || !Objects.equals(authority(prefix), authority(candidate))) {
      return false;
    }
    String root = prefix.getPath();
    String path = candidate.getPath();
    return root.equals("/")
        || path.equals(root)
        || path.startsWith(root.endsWith("/") ? root : root + "/");
  }

  private static String authority(URI uri) {
    return uri.getAuthority() == null ? "" : uri.getAuthority().toLowerCase(Locale.ROOT);
  }

  /** An absolute, normalized URI; local paths with their symbolic links resolved. */
  static URI canonical(String location) {
    URI uri;
    try {
      // As Spark reads it: a path without a scheme is on the default file system.
      uri = new org.apache.hadoop.fs.Path(Locations.current().qualify(location)).toUri();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + location + "' is not a path or a URI: " + e.getMessage(), e);
    }
    if (uri.getScheme() == null || uri.getScheme().equalsIgnoreCase("file")) {
      Path local = realPath(Path.of(uri.getPath()).toAbsolutePath().normalize());
      try {
        return new URI("file", null, local.toString(), null);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(
            "'" + location + "' is not a path: " + e.getMessage(), e);
      }
    }
    if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
      throw new IllegalArgumentException(
          "'" + location + "' is not an absolute URI; give one like hdfs://namenode/path");
    }
    // Resolves . and ..; a path that climbs above the root keeps its leading "/..", which no
    // prefix but "/" matches.
    return uri.normalize();
  }

  // The longest part of the path that exists, with its links resolved, then the rest as given.
  private static Path realPath(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(path)).normalize();
    } catch (IOException e) {
      return path;
    }
  }
}
