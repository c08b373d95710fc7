package io.dsmigrate.job.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local file system without processes leaves what Hadoop's own leaves: the same permissions,
 * checksum files, link statuses and rename rules, for FileSystem and FileContext users alike.
 */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path temp;

  private static Configuration conf() {
    Configuration conf = new Configuration();
    NioLocalFileSystem.SETTINGS.forEach(conf::set);
    return conf;
  }

  private Path path(String name) {
    return new Path(temp.resolve(name).toUri());
  }

  private static String mode(java.nio.file.Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void filesAndDirectoriesGetTheSamePermissionsAndChecksumsAsWithHadoopsOwn() throws Exception {
    FileSystem nio = path("nio").getFileSystem(conf());
    assertThat(nio).isInstanceOf(NioLocalFileSystem.class);
    FileSystem hadoop = new LocalFileSystem();
    hadoop.initialize(URI.create("file:///"), new Configuration());
    for (FileSystem fs : new FileSystem[] {nio, hadoop}) {
      String side = fs == nio ? "nio" : "hadoop";
      assertThat(fs.mkdirs(path(side + "/a/b"), new FsPermission((short) 0750))).isTrue();
      try (OutputStream out = fs.create(path(side + "/a/b/data.txt"), false)) {
        out.write("rows".getBytes(StandardCharsets.UTF_8));
      }
    }
    for (String file : new String[] {"a", "a/b", "a/b/data.txt", "a/b/.data.txt.crc"}) {
      assertThat(mode(temp.resolve("nio/" + file)))
          .as(file)
          .isEqualTo(mode(temp.resolve("hadoop/" + file)));
    }
    assertThat(mode(temp.resolve("nio/a/b/data.txt"))).startsWith("rw-");
  }

  @Test
  void setPermissionSetsExactlyTheModeAndReportsAMissingFile() throws Exception {
    FileSystem fs = path("x").getFileSystem(conf());
    Path file = path("file.txt");
    Files.writeString(temp.resolve("file.txt"), "x");
    fs.setPermission(file, new FsPermission((short) 0640));
    assertThat(mode(temp.resolve("file.txt"))).isEqualTo("rw-r-----");
    assertThat(fs.getFileStatus(file).getPermission().toShort()).isEqualTo((short) 0640);
    Path dir = path("shared");
    fs.mkdirs(dir);
    fs.setPermission(dir, new FsPermission((short) 01777)); // the sticky bit: chmod does it
    assertThat(fs.getFileStatus(dir).getPermission().getStickyBit()).isTrue();
    assertThatThrownBy(() -> fs.setPermission(path("missing"), new FsPermission((short) 0644)))
        .isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void linksGetTheStatusHadoopsOwnGivesThemAndOtherFilesTheirOwn() throws Exception {
    Files.writeString(temp.resolve("real.txt"), "x");
    Files.createSymbolicLink(temp.resolve("link.txt"), temp.resolve("real.txt"));
    FileSystem fs = path("x").getFileSystem(conf());
    FileSystem hadoop = new LocalFileSystem();
    hadoop.initialize(URI.create("file:///"), new Configuration());
    FileStatus link = fs.getFileLinkStatus(path("link.txt"));
    FileStatus hadoopLink = hadoop.getFileLinkStatus(path("link.txt"));
    assertThat(link.isSymlink()).isEqualTo(hadoopLink.isSymlink());
    assertThat(link.getPath()).isEqualTo(hadoopLink.getPath());
    assertThat(link.getLen()).isEqualTo(hadoopLink.getLen());
    // Through the raw file system, as FileContext asks.
    FileStatus raw = ((LocalFileSystem) fs).getRawFileSystem().getFileLinkStatus(path("link.txt"));
    FileStatus hadoopRaw =
        ((LocalFileSystem) hadoop).getRawFileSystem().getFileLinkStatus(path("link.txt"));
    assertThat(raw.isSymlink()).isEqualTo(hadoopRaw.isSymlink());
    assertThat(raw.getPath()).isEqualTo(hadoopRaw.getPath());
    assertThat(raw.getLen()).isEqualTo(hadoopRaw.getLen());
    FileStatus real = fs.getFileLinkStatus(path("real.txt"));
    assertThat(real.isSymlink()).isFalse();
    assertThat(real).isEqualTo(fs.getFileStatus(path("real.txt")));
    assertThatThrownBy(() -> fs.getFileLinkStatus(path("missing")))
        .isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void fileContextUsesItAndARenameNeverReplacesAFile() throws Exception {
    FileContext context = FileContext.getFileContext(URI.create("file:///"), conf());
    assertThat(context.getDefaultFileSystem()).isInstanceOf(NioLocalFs.class);
    for (String name : new String[] {"first", "second"}) {
      try (OutputStream out =
          context.create(
              path(name), EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
        out.write(name.getBytes(StandardCharsets.UTF_8));
      }
    }
    context.rename(path("first"), path("commit.json"), Options.Rename.NONE);
    assertThat(Files.readString(temp.resolve("commit.json"))).isEqualTo("first");
    assertThat(temp.resolve(".commit.json.crc")).exists();
    assertThatThrownBy(
            () -> context.rename(path("second"), path("commit.json"), Options.Rename.NONE))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(temp.resolve("commit.json"))).isEqualTo("first");
  }
}
