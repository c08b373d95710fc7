package io.dsmigrate.job.fs;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How dsmigrate reads a path given without a scheme: as Spark and Hadoop do, on the cluster's
 * default file system ({@code fs.defaultFS}), and a relative one against that file system's working
 * directory (the process's directory for local files, {@code /user/<name>} on HDFS). Every setting
 * and spec path goes through {@link #qualify} before it is compared, checked or written, so that
 * {@code /data/x} is checked on the same file system it is written to.
 *
 * <p>A process has one default file system, as Hadoop's {@code FileSystem.getDefaultUri} does:
 * {@link #current()} is the one settings loading or the SparkSession installed ({@link #use}), and
 * before either, the one Hadoop's own configuration files on the classpath give.
 *
 * @param defaultFs the default file system, e.g. {@code hdfs://namenode:8020} or {@code file:///}
 * @param workingDirectory the default file system's working directory, fully qualified
 */
public record Locations(URI defaultFs, URI workingDirectory) {
  private static volatile Locations current;

  public Locations {
    requireNonNull(defaultFs, "defaultFs is null");
    requireNonNull(workingDirectory, "workingDirectory is null");
  }

  /** The default file system of {@code conf}, with its working directory. */
  public static Locations of(Configuration conf) {
    URI defaultFs = FileSystem.getDefaultUri(conf);
    URI workingDirectory;
    if (defaultFs.getScheme() == null || defaultFs.getScheme().equals("file")) {
      workingDirectory = new java.io.File("").getAbsoluteFile().toURI();
    } else {
      try {
        workingDirectory = FileSystem.get(defaultFs, conf).getWorkingDirectory().toUri();
      } catch (IOException e) {
        throw new IllegalStateException(
            "Cannot reach the default file system "
                + defaultFs
                + " (fs.defaultFS) to resolve paths given without a scheme: "
                + e.getMessage()
                + "; check fs.defaultFS in core-site.xml or spark.hadoop.fs.defaultFS",
            e);
      }
    }
    return new Locations(defaultFs, workingDirectory);
  }

  /**
   * The Hadoop configuration a Spark application would start with, before its session exists:
   * Hadoop's files on the classpath ({@code core-site.xml}), then every {@code spark.hadoop.*}
   * setting of {@code sparkConf} and of the JVM's system properties (where spark-submit puts its
   * {@code --conf}s), without the prefix.
   */
  public static Configuration hadoopConfiguration(Map<String, String> sparkConf) {
    Configuration conf = new Configuration();
    for (Map.Entry<String, String> entry : sparkConf.entrySet()) {
      if (entry.getKey().startsWith("spark.hadoop.")) {
        conf.set(entry.getKey().substring("spark.hadoop.".length()), entry.getValue());
      }
    }
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), System.getProperty(key));
      }
    }
    return conf;
  }

  /** The process's default file system (see the class comment). */
  public static Locations current() {
    Locations locations = current;
    if (locations == null) {
      locations = of(new Configuration());
      current = locations;
    }
    return locations;
  }

  /** Makes {@code locations} the process's default file system. */
  public static void use(Locations locations) {
    current = requireNonNull(locations, "locations is null");
  }

  /**
   * {@code location} fully qualified: a URI as given (normalized), a path without a scheme on the
   * default file system, a relative one against its working directory. No trailing slash; local
   * files as {@code file:/path}.
   */
  public String qualify(String location) {
    Path parsed = new Path(location.trim());
    URI uri = parsed.toUri();
    if (uri.getScheme() == null) {
      parsed = parsed.makeQualified(defaultFs, new Path(workingDirectory));
    } else if (uri.getAuthority() == null
        && !uri.getScheme().equals("file")
        && uri.getScheme().equals(defaultFs.getScheme())
        && defaultFs.getAuthority() != null) {
      // hdfs:///x means the default namenode when the default file system is HDFS.
      parsed = new Path(uri.getScheme(), defaultFs.getAuthority(), uri.getPath());
    }
    // Hadoop's own form: a path as it is written, not URI-escaped (a space stays a space).
    return text(new Path(parsed.toUri().normalize()).toString());
  }

  /**
   * The file system of {@code location} for small files that people and other tools read and edit
   * (plans, the ledger): on the local file system without Hadoop's {@code .crc} side files, which a
   * file edited by anything else would no longer match.
   */
  public static FileSystem plainFileSystem(String location, Configuration conf) throws IOException {
    FileSystem fileSystem = new Path(location).getFileSystem(conf);
    return fileSystem instanceof LocalFileSystem local ? local.getRawFileSystem() : fileSystem;
  }

  /**
   * {@code location} qualified, as an escaped URI ({@code %20} for a space), the form in which the
   * metastore gives locations: for comparing locations, not for opening them (Hadoop's {@code Path}
   * reads a string as written, {@link #qualify}).
   */
  public String uri(String location) {
    return text(new Path(qualify(location)).toUri().toString());
  }

  /** Whether {@code location} is on the local file system once qualified. */
  public boolean isLocal(String location) {
    return qualify(location).startsWith("file:");
  }

  /** {@code location} as a local path; fails naming {@code what} when it is not a local one. */
  public java.nio.file.Path local(String location, String what) {
    String qualified = qualify(location);
    if (!qualified.startsWith("file:")) {
      throw new IllegalArgumentException(
          what + " must be on the local file system, not " + qualified + "; give a local path");
    }
    return java.nio.file.Path.of(new Path(qualified).toUri());
  }

  /** {@code child} below {@code parent}, both qualified. */
  public String resolve(String parent, String child) {
    return qualify(new Path(qualify(parent), child).toString());
  }

  private static String text(String uri) {
    String text = uri;
    if (text.startsWith("file:///")) {
      text = "file:/" + text.substring("file:///".length());
    }
    while (text.endsWith("/") && text.length() > "file:/".length() && !text.endsWith("//")) {
      text = text.substring(0, text.length() - 1);
    }
    return text;
  }
}
