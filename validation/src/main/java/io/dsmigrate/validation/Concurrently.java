package io.dsmigrate.validation;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs two pieces of driver work at the same time, each submitting its own Spark jobs. The second
 * thread inherits the caller's Spark properties (job group, description, scheduler pool), so its
 * jobs show and are cancelled with the caller's.
 */
final class Concurrently {
  private Concurrently() {}

  /**
   * Runs {@code first} on a new thread and {@code second} on this one, both with {@code session};
   * returns both results, in that order.
   */
  static <T> List<T> both(SparkSession session, Supplier<T> first, Supplier<T> second) {
    AtomicReference<T> firstResult = new AtomicReference<>();
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              // A query running on the caller's thread must not look as if it ran here too.
              session.sparkContext().setLocalProperty("spark.sql.execution.id", null);
              try {
                firstResult.set(first.get());
              } catch (Throwable failure) {
                firstFailure.set(failure);
              }
            },
            Thread.currentThread().getName() + "-side");
    thread.setDaemon(true);
    thread.start();
    T secondResult;
    try {
      secondResult = second.get();
    } finally {
      join(thread);
    }
    Throwable failure = firstFailure.get();
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    return Arrays.asList(firstResult.get(), secondResult);
  }

  private static void join(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
