package io.dsmigrate.job.agent;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.types.DataTypeJsonSerDe;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.StructType;

/**
 * Creates a Delta table with Delta Kernel, in a task: version 0 holds the schema and the written
 * files, and carries the attempt's commit tag in its engine info (Kernel writes no {@code
 * userMetadata}), where {@code Ownership} and recovery look for it.
 */
final class KernelCommit {
  private KernelCommit() {}

  static final String FIRST_COMMIT = "_delta_log/00000000000000000000.json";

  /** Creates the table at {@code location} with {@code files}; returns the committed version. */
  static long create(
      Configuration conf,
      String location,
      StructType schema,
      List<DataFileStatus> files,
      String tag)
      throws IOException {
    Engine engine = DefaultEngine.create(conf);
    Transaction transaction =
        TableManager.buildCreateTableTransaction(
                location, DataTypeJsonSerDe.deserializeStructType(schema.json()), tag)
            .build(engine);
    Row state = transaction.getTransactionState(engine);
    DataWriteContext context = Transaction.getWriteContext(engine, state, Map.of());
    CloseableIterator<Row> actions =
        Transaction.generateAppendActions(
            engine, state, Utils.toCloseableIterator(files.iterator()), context);
    return transaction.commit(engine, CloseableIterable.inMemoryIterable(actions)).getVersion();
  }

  /**
   * Whether the table at {@code location} is exactly the one this attempt created: its log holds
   * version 0 only, and that commit carries {@code tag}. Only then may the attempt remove it.
   */
  static boolean onlyOurs(FileSystem fs, Path location, String tag) throws IOException {
    Path log = new Path(location, "_delta_log");
    if (!fs.exists(log)) {
      return true; // nothing committed
    }
    for (FileStatus status : fs.listStatus(log)) {
      String name = status.getPath().getName();
      if (!name.equals("00000000000000000000.json") && !name.startsWith(".")) {
        return false;
      }
    }
    Path first = new Path(location, FIRST_COMMIT);
    if (!fs.exists(first)) {
      return true;
    }
    String text;
    try (var in = fs.open(first)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // The commit info's engine info ends with the tag (quoted as JSON: tags hold no quotes).
    return text.contains("/" + tag + "\"");
  }
}
