package io.dsmigrate.job.snapshot;

import static java.util.Objects.requireNonNull;

/**
 * Where a source replaced in place can be restored from, written into the results table as text:
 * {@code copy:<dir>} (a byte-for-byte copy of its files plus its metastore definition), {@code
 * delta:<location>@v<version>} (a Delta table pinned at the version before the run) or {@code
 * convert:<dir>} (a Parquet source converted to Delta in place: the directory holds what {@link
 * Conversions#record} recorded before the conversion, its location, table definition and files).
 */
public record Snapshot(Kind kind, String location, long version) {
  public enum Kind {
    COPY,
    DELTA_VERSION,
    CONVERT
  }

  public Snapshot {
    requireNonNull(kind, "kind is null");
    requireNonNull(location, "location is null");
  }

  public static Snapshot parse(String text) {
    if (text.startsWith("copy:")) {
      return new Snapshot(Kind.COPY, text.substring("copy:".length()), -1);
    }
    if (text.startsWith("convert:")) {
      return new Snapshot(Kind.CONVERT, text.substring("convert:".length()), -1);
    }
    if (text.startsWith("delta:")) {
      int at = text.lastIndexOf("@v");
      return new Snapshot(
          Kind.DELTA_VERSION,
          text.substring("delta:".length(), at),
          Long.parseLong(text.substring(at + 2)));
    }
    throw new IllegalArgumentException("Not a dsmigrate snapshot: " + text);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case COPY -> "copy:" + location;
      case CONVERT -> "convert:" + location;
      case DELTA_VERSION -> "delta:" + location + "@v" + version;
    };
  }
}
