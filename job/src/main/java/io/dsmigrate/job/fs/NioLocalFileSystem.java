package io.dsmigrate.job.fs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Hadoop's checksummed local file system ({@code file:}) over {@link NioRawLocalFileSystem}: the
 * same files (and {@code .crc} files), without a {@code chmod} or {@code readlink} process per
 * call. {@link #use} makes a Hadoop configuration use it, for {@code FileSystem} and {@code
 * FileContext} alike.
 *
 * <pre>{@code
 * Configuration conf = NioLocalFileSystem.use(spark.sessionState().newHadoopConf());
 * new Path("file:/data/t").getFileSystem(conf);   // a NioLocalFileSystem
 * }</pre>
 */
public class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new NioRawLocalFileSystem());
  }

  /**
   * Makes {@code conf} use this file system for {@code file:} paths, and returns it. Hadoop caches
   * one file system per scheme for the whole process, whatever the configuration says; so file
   * systems of {@code conf} are not cached (a local one costs nothing to create).
   */
  public static Configuration use(Configuration conf) {
    conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
    conf.set("fs.AbstractFileSystem.file.impl", NioLocalFs.class.getName());
    return conf;
  }
}
