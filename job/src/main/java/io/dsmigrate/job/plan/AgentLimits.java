package io.dsmigrate.job.plan;

/**
 * Which datasets the planner may send down the agent path (executor tasks that migrate many small
 * datasets each): {@code dsmigrate.agent.*}.
 *
 * @param enabled false sends every dataset down the Spark path
 * @param maxBytes the largest source, in bytes, that the agent path takes
 * @param maxFiles the most files a source may have for the agent path
 */
public record AgentLimits(boolean enabled, long maxBytes, long maxFiles) {
  /** The defaults of {@code reference.conf}: enabled, 256 MiB, 200 files. */
  public static final AgentLimits DEFAULTS = new AgentLimits(true, 256L << 20, 200);

  /** No dataset takes the agent path. */
  public static final AgentLimits DISABLED = new AgentLimits(false, 0, 0);

  public AgentLimits {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be 0 or more, not " + maxBytes);
    }
    if (maxFiles < 0) {
      throw new IllegalArgumentException("maxFiles must be 0 or more, not " + maxFiles);
    }
  }
}
