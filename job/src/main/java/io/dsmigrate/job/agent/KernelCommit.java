package io.dsmigrate.job.agent;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.commit.Committer;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.commit.DefaultFileSystemManagedTableOnlyCommitter;
import io.delta.kernel.internal.types.DataTypeJsonSerDe;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.transaction.CreateTableTransactionBuilder;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.dsmigrate.job.plan.TableMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.StructType;

/**
 * Creates a Delta table with Delta Kernel, in a task: version 0 holds the schema (with the column
 * comments), the table's properties and description, and the written files, and carries the
 * attempt's commit tag in its engine info (Kernel writes no {@code userMetadata}), where {@code
 * Ownership} and recovery look for it.
 */
final class KernelCommit {
  private KernelCommit() {}

  static final String FIRST_COMMIT = "_delta_log/00000000000000000000.json";

  /**
   * Creates the table at {@code location} with {@code files}, the properties and the comment of
   * {@code metadata}; returns the committed version.
   */
  static long create(
      Configuration conf,
      String location,
      StructType schema,
      List<DataFileStatus> files,
      String tag,
      TableMetadata metadata)
      throws IOException {
    Engine engine = DefaultEngine.create(conf);
    CreateTableTransactionBuilder builder =
        TableManager.buildCreateTableTransaction(
            location, DataTypeJsonSerDe.deserializeStructType(schema.json()), tag);
    if (!metadata.properties().isEmpty()) {
      builder = builder.withTableProperties(metadata.properties());
    }
    if (metadata.comment() != null) {
      builder = builder.withCommitter(describing(metadata.comment()));
    }
    Transaction transaction = builder.build(engine);
    Row state = transaction.getTransactionState(engine);
    DataWriteContext context = Transaction.getWriteContext(engine, state, Map.of());
    CloseableIterator<Row> actions =
        Transaction.generateAppendActions(
            engine, state, Utils.toCloseableIterator(files.iterator()), context);
    return transaction.commit(engine, CloseableIterable.inMemoryIterable(actions)).getVersion();
  }

  /**
   * Kernel's committer of file-system tables, with {@code description} in the commit's metadata
   * action: Kernel's builders take no table description (Delta's name for the table comment), so
   * the action is given it on its way to the log. Kernel's own view of the new table lacks it; this
   * process reads nothing of the table through Kernel afterwards.
   */
  private static Committer describing(String description) {
    Committer files = DefaultFileSystemManagedTableOnlyCommitter.INSTANCE;
    return (engine, actions, commit) ->
        files.commit(
            engine,
            actions.map(
                action -> {
                  if (action.isNullAt(SingleAction.METADATA_ORDINAL)) {
                    return action;
                  }
                  Metadata metadata =
                      Metadata.fromRow(action.getStruct(SingleAction.METADATA_ORDINAL));
                  return SingleAction.createMetadataSingleAction(
                      new Metadata(
                              metadata.getId(),
                              metadata.getName(),
                              Optional.of(description),
                              metadata.getFormat(),
                              metadata.getSchemaString(),
                              metadata.getSchema(),
                              metadata.getPartitionColumns(),
                              metadata.getCreatedTime(),
                              metadata.getConfigurationMapValue())
                          .toRow());
                }),
            commit);
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
