package io.dsmigrate.job.fs;

import java.util.Map;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Hadoop's checksummed local file system ({@code file:}) over {@link NioRawLocalFileSystem}: the
 * same files (and {@code .crc} files), without a {@code chmod} or {@code readlink} process per
 * call. dsmigrate's sessions set {@link #SETTINGS} (as {@code spark.hadoop.*}), so that everything
 * reading or writing local files through the session's Hadoop configuration uses it: Spark, Delta,
 * the agents, the ledger.
 */
public class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new NioRawLocalFileSystem());
  }

  /**
   * The Hadoop settings that make {@code file:} paths use this file system, for {@code FileSystem}
   * and {@code FileContext} alike. Hadoop caches one file system per scheme for the whole process,
   * whatever the configuration asking for it says; so file systems of these settings are not cached
   * (a local one costs nothing to create).
   */
  public static final Map<String, String> SETTINGS =
      Map.of(
          "fs.file.impl", NioLocalFileSystem.class.getName(),
          "fs.file.impl.disable.cache", "true",
          "fs.AbstractFileSystem.file.impl", NioLocalFs.class.getName());
}
