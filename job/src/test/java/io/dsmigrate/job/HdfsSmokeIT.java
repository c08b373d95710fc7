package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.testing.MiniHdfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared SparkSession against a real HDFS ({@link MiniHdfs}): Parquet and Delta written to
 * {@code hdfs://} and read back, and the Hadoop FileSystem operations dsmigrate relies on, as HDFS
 * implements them (no-overwrite create and rename, checksums, free space).
 */
class HdfsSmokeIT extends JobTestBase {
  @TempDir static Path hdfsDir;
  private static MiniHdfs hdfs;

  @RegisterExtension
  static final TestWatcher PRINT_HDFS_LOG =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (hdfs != null) {
            System.err.println(hdfs.logTail(200));
          }
        }
      };

  @BeforeAll
  static void startHdfs() throws Exception {
    hdfs = MiniHdfs.start(hdfsDir);
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  private static String hdfs(String path) {
    return hdfs.uri() + "/" + path;
  }

  private static FileSystem fileSystem() throws IOException {
    return new org.apache.hadoop.fs.Path(hdfs.uri())
        .getFileSystem(spark().sparkContext().hadoopConfiguration());
  }

  @Test
  void parquetAndDeltaRoundTripThroughHdfs() {
    assertParquetAndDeltaRoundTrip(hdfs("smoke"));
  }

  @Test
  void createWithoutOverwriteFailsOnAnExistingFile() throws IOException {
    FileSystem fs = fileSystem();
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(hdfs("ops/create/marker"));
    write(fs, file, "first");

    assertThatThrownBy(() -> fs.create(file, false).close())
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(read(fs, file)).isEqualTo("first");
  }

  @Test
  void renameDoesNotOverwriteAnExistingFile() throws IOException {
    FileSystem fs = fileSystem();
    org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(hdfs("ops/rename/source"));
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(hdfs("ops/rename/target"));
    write(fs, source, "new");
    write(fs, target, "old");

    assertThat(fs.rename(source, target)).isFalse();
    assertThat(read(fs, target)).isEqualTo("old");
    assertThat(read(fs, source)).isEqualTo("new");

    org.apache.hadoop.fs.Path free = new org.apache.hadoop.fs.Path(hdfs("ops/rename/free"));
    assertThat(fs.rename(source, free)).isTrue();
    assertThat(read(fs, free)).isEqualTo("new");
    assertThat(fs.exists(source)).isFalse();
  }

  @Test
  void aFileHasAnMd5OfCrcChecksumThatFollowsItsContent() throws IOException {
    FileSystem fs = fileSystem();
    org.apache.hadoop.fs.Path one = new org.apache.hadoop.fs.Path(hdfs("ops/checksum/one"));
    org.apache.hadoop.fs.Path same = new org.apache.hadoop.fs.Path(hdfs("ops/checksum/same"));
    org.apache.hadoop.fs.Path other = new org.apache.hadoop.fs.Path(hdfs("ops/checksum/other"));
    write(fs, one, "the same bytes");
    write(fs, same, "the same bytes");
    write(fs, other, "other bytes");

    FileChecksum checksum = fs.getFileChecksum(one);
    assertThat(checksum).as("HDFS computes a checksum from the DataNodes' CRCs").isNotNull();
    assertThat(checksum.getAlgorithmName()).startsWith("MD5-of-").contains("CRC32");
    assertThat(fs.getFileChecksum(same)).isEqualTo(checksum);
    assertThat(fs.getFileChecksum(other)).isNotEqualTo(checksum);
  }

  @Test
  void theFileSystemReportsItsFreeSpace() throws IOException {
    FsStatus status = fileSystem().getStatus();
    assertThat(status.getCapacity()).isPositive();
    assertThat(status.getRemaining()).isPositive().isLessThanOrEqualTo(status.getCapacity());
  }

  private static void write(FileSystem fs, org.apache.hadoop.fs.Path file, String text)
      throws IOException {
    try (FSDataOutputStream out = fs.create(file, false)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String read(FileSystem fs, org.apache.hadoop.fs.Path file) throws IOException {
    try (FSDataInputStream in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
