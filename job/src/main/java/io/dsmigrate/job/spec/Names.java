package io.dsmigrate.job.spec;

import io.dsmigrate.job.fs.Locations;
import java.util.Locale;
import org.apache.hadoop.fs.Path;

/** The forms in which table names and paths are compared. */
public final class Names {
  private Names() {}

  /** {@code db.table} in lower case; a bare name is in {@code default}. */
  public static String table(String name) {
    String normalized = name.trim().replace("`", "").toLowerCase(Locale.ROOT);
    return normalized.contains(".") ? normalized : "default." + normalized;
  }

  /** A table name quoted for SQL: {@code `db`.`table`}. */
  public static String quoted(String name) {
    String normalized = table(name);
    int dot = normalized.indexOf('.');
    return "`" + normalized.substring(0, dot) + "`.`" + normalized.substring(dot + 1) + "`";
  }

  /**
   * Whether {@code path} is absolute: a URI with a scheme and an absolute path or an authority
   * ({@code hdfs://nn/x}, {@code file:/x}, {@code s3a://bucket/x}), or a path starting with {@code
   * /}. A relative path would be resolved against the working directory of whichever process reads
   * it.
   */
  public static boolean absolute(String path) {
    java.net.URI uri;
    try {
      uri = new Path(path.trim()).toUri();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (uri.getScheme() == null) {
      return path.trim().startsWith("/");
    }
    return uri.getAuthority() != null || (uri.getPath() != null && uri.getPath().startsWith("/"));
  }

  /**
   * A path as an escaped URI string without a trailing slash, for comparing: a path without a
   * scheme is on the default file system ({@link Locations}).
   */
  public static String path(String path) {
    return Locations.current().uri(path);
  }
}
