package io.dsmigrate.job.agent;

import io.dsmigrate.job.plan.TableMetadata;
import java.io.Serializable;
import java.util.List;

/**
 * One dataset for an agent: where to read, where to write, the tag its commit carries, and which
 * {@link Binding} of the chunk migrates it.
 *
 * @param binding the index of the dataset's binding in its chunk's bindings
 * @param sourceLocation the source's directory (its files are listed by the agent)
 * @param targetLocation where the Delta target is created; nothing may stand there yet
 * @param commitTag the tag the ledger recorded for this attempt, carried by the Delta commit
 * @param key the validation key (compared as the Spark path compares it)
 * @param metadata what the target carries besides its rows: its comment and properties, its column
 *     comments (by the target's column names)
 */
record AgentWork(
    String datasetId,
    int binding,
    String sourceLocation,
    String targetLocation,
    String commitTag,
    List<String> key,
    long maxBytes,
    int maxFiles,
    TableMetadata metadata)
    implements Serializable {

  AgentWork {
    key = List.copyOf(key);
    metadata = metadata == null ? TableMetadata.NONE : metadata;
  }
}
