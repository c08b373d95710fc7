package io.dsmigrate.job.ledger;

import io.dsmigrate.job.fs.Locations;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * Small files on any Hadoop file system, created so that exactly one writer wins.
 *
 * <p>{@link #createExclusive} writes the content to a hidden temporary file, then publishes it
 * under its name with an operation that fails when the name exists: a hard link on the local file
 * system ({@code link(2)}), a rename without overwrite elsewhere (atomic on HDFS). Readers see a
 * whole file or none, and of two writers racing for one name, one wins and the other learns it
 * lost. Plain {@code FileSystem.create(path, false)} is not enough: on the local file system it
 * checks, then opens (two writers can both pass the check), and on HDFS a writer killed half-way
 * leaves a partial file.
 */
public final class LedgerFiles {
  private LedgerFiles() {}

  /** The file system of {@code location}, without checksum files on the local one. */
  public static FileSystem fileSystem(String location, Configuration conf) throws IOException {
    return Locations.plainFileSystem(location, conf);
  }

  /**
   * A location given as a path or a URI, as a URI (a path without a scheme is on the default file
   * system, {@link Locations}).
   */
  public static String uri(String location) {
    return Locations.current().qualify(location);
  }

  /**
   * Creates {@code path} holding {@code content} unless it exists.
   *
   * @return true when this call created it; false when it existed (another writer won)
   */
  public static boolean createExclusive(FileSystem fileSystem, Path path, byte[] content)
      throws IOException {
    Path temporary =
        new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fileSystem.create(temporary, false)) {
      out.write(content);
    }
    try {
      if ("file".equals(fileSystem.getUri().getScheme())) {
        Files.createLink(
            Paths.get(fileSystem.makeQualified(path).toUri()),
            Paths.get(fileSystem.makeQualified(temporary).toUri()));
        return true;
      }
      return renameWithoutOverwrite(fileSystem, temporary, path);
    } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } finally {
      fileSystem.delete(temporary, false);
    }
  }

  private static boolean renameWithoutOverwrite(FileSystem fileSystem, Path from, Path to)
      throws IOException {
    FileContext context;
    try {
      context = FileContext.getFileContext(fileSystem.getUri(), fileSystem.getConf());
    } catch (UnsupportedFileSystemException e) {
      // No AbstractFileSystem for this scheme: FileSystem.rename does not overwrite a file either
      // (on HDFS it fails atomically when the name exists), but only says false.
      if (fileSystem.rename(from, to)) {
        return true;
      }
      if (fileSystem.exists(to)) {
        return false;
      }
      throw new IOException("cannot rename " + from + " to " + to);
    }
    context.rename(from, to, Options.Rename.NONE);
    return true;
  }

  /** Writes (or replaces) a small text file. */
  public static void writeText(FileSystem fileSystem, Path path, String text) throws IOException {
    try (OutputStream out = fileSystem.create(path, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Reads a small file; null when it does not exist. */
  public static byte[] read(FileSystem fileSystem, Path path) throws IOException {
    try (InputStream in = fileSystem.open(path)) {
      return in.readAllBytes();
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /**
   * A file name for an id: the id itself when it is made of letters, digits, {@code .}, {@code _}
   * and {@code -} only (and does not start with {@code .} or {@code _}); otherwise {@code x}, those
   * characters, {@code -} and a hash of the id, so two ids never share a name. An id that itself
   * has the shape of such a hashed name is hashed too: otherwise it could be the name of another
   * id.
   */
  public static String safeName(String id) {
    String safe = id.replaceAll("[^A-Za-z0-9._-]", "_");
    if (safe.equals(id)
        && !id.startsWith(".")
        && !id.startsWith("_")
        && !HASHED.matcher(id).matches()) {
      return id;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "x" + safe + "-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final java.util.regex.Pattern HASHED =
      java.util.regex.Pattern.compile("x[A-Za-z0-9._-]*-[0-9a-f]{12}");
}
