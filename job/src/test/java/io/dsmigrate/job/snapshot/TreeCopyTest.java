package io.dsmigrate.job.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsmigrate.job.JobTestBase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FsStatus;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.junit.jupiter.api.Test;

/**
 * A snapshot's copy is a Spark job whose tasks copy the files, not the driver: the tree comes out
 * byte for byte (empty directories and files too), a file system without room for it is found
 * before anything is copied, and a copy that differs from its source fails instead of counting.
 */
class TreeCopyTest extends JobTestBase {
  /** The local file system under {@code smalldisk:}, reporting 1 KiB free. */
  public static final class SmallDisk extends RawLocalFileSystem {
    @Override
    public URI getUri() {
      return URI.create("smalldisk:///");
    }

    @Override
    public FsStatus getStatus(org.apache.hadoop.fs.Path path) {
      return new FsStatus(1 << 20, (1 << 20) - 1024, 1024);
    }
  }

  /** The local file system under {@code bitflip:}, whose writes change their first byte. */
  public static final class BitFlip extends RawLocalFileSystem {
    @Override
    public URI getUri() {
      return URI.create("bitflip:///");
    }

    @Override
    public FSDataOutputStream create(
        org.apache.hadoop.fs.Path path,
        boolean overwrite,
        int bufferSize,
        short replication,
        long blockSize,
        Progressable progress)
        throws IOException {
      FSDataOutputStream out =
          super.create(path, overwrite, bufferSize, replication, blockSize, progress);
      return new FSDataOutputStream(
          new OutputStream() {
            boolean first = true;

            @Override
            public void write(int b) throws IOException {
              out.write(first ? b ^ 1 : b);
              first = false;
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
              for (int i = 0; i < length; i++) {
                write(bytes[offset + i]);
              }
            }

            @Override
            public void close() throws IOException {
              out.close();
            }
          },
          null);
    }
  }

  private Path tree() throws IOException {
    Path root = temp.resolve("tree");
    for (int i = 0; i < 12; i++) {
      Path file = root.resolve("p=" + (i % 3)).resolve("part-" + i + ".bin");
      Files.createDirectories(file.getParent());
      byte[] bytes = new byte[1000 + i * 37];
      for (int j = 0; j < bytes.length; j++) {
        bytes[j] = (byte) (i * 31 + j);
      }
      Files.write(file, bytes);
    }
    Files.createDirectories(root.resolve("empty/below"));
    Files.write(root.resolve("_SUCCESS"), new byte[0]);
    return root;
  }

  /** The tree, without the local file system's own checksum files ({@code .name.crc}). */
  private static List<String> listing(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.getFileName().toString().matches("\\..*\\.crc"))
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void theFilesAreCopiedByTasksAndComeOutByteForByte() throws Exception {
    Path from = tree();
    Path to = temp.resolve("snapshots/run-1/ds/data");
    List<Integer> copyTasks = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onStageSubmitted(SparkListenerStageSubmitted stage) {
            String description =
                stage.properties() == null
                    ? null
                    : stage.properties().getProperty("spark.job.description");
            if (description != null && description.startsWith("copy test")) {
              copyTasks.add(stage.stageInfo().numTasks());
            }
          }
        };
    spark().sparkContext().addSparkListener(listener);
    try {
      TreeCopy.Copied copied =
          TreeCopy.copy(
              spark(),
              new org.apache.hadoop.fs.Path(from.toUri()),
              new org.apache.hadoop.fs.Path(to.toUri()),
              "copy test");
      spark().sparkContext().listenerBus().waitUntilEmpty();

      assertThat(copied.files()).isEqualTo(13);
      assertThat(copied.bytes())
          .isEqualTo(
              Files.walk(from)
                  .filter(Files::isRegularFile)
                  .mapToLong(p -> p.toFile().length())
                  .sum());
      assertThat(copyTasks)
          .as("one Spark job of several tasks copied the files")
          .containsExactly(2);
    } finally {
      spark().sparkContext().removeSparkListener(listener);
    }
    assertThat(listing(to)).isEqualTo(listing(from));
    try (Stream<Path> files = Files.walk(from).filter(Files::isRegularFile)) {
      for (Path file : files.toList()) {
        assertThat(Files.readAllBytes(to.resolve(from.relativize(file))))
            .as(file.toString())
            .isEqualTo(Files.readAllBytes(file));
      }
    }
  }

  @Test
  void aFileSystemWithoutRoomIsFoundBeforeAnythingIsCopied() throws Exception {
    spark()
        .sparkContext()
        .hadoopConfiguration()
        .set("fs.smalldisk.impl", SmallDisk.class.getName());
    Path from = tree();
    Path to = temp.resolve("small/data");

    assertThatThrownBy(
            () ->
                TreeCopy.copy(
                    spark(),
                    new org.apache.hadoop.fs.Path(from.toUri()),
                    new org.apache.hadoop.fs.Path("smalldisk://" + to),
                    "copy test"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not enough free space for the copy at smalldisk:")
        .hasMessageContaining("has 1024 free")
        .hasMessageContaining("dsmigrate.snapshots.dir");
    assertThat(to).doesNotExist();
  }

  @Test
  void aCopyThatDiffersFromItsSourceFails() throws Exception {
    spark().sparkContext().hadoopConfiguration().set("fs.bitflip.impl", BitFlip.class.getName());
    spark().sparkContext().hadoopConfiguration().set("fs.bitflip.impl.disable.cache", "true");
    Path from = tree();

    assertThatThrownBy(
            () ->
                TreeCopy.copy(
                    spark(),
                    new org.apache.hadoop.fs.Path(from.toUri()),
                    new org.apache.hadoop.fs.Path("bitflip://" + temp.resolve("flipped")),
                    "copy test"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("differs from")
        .hasMessageContaining("CRC32C of the bytes read back");
  }
}
