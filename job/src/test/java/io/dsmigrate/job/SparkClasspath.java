package io.dsmigrate.job;

import java.io.File;
import java.util.Arrays;
import java.util.List;

/**
 * The jars of the test classpath that a Spark installation has: Spark, Scala, Hadoop and their
 * dependencies, but not dsmigrate, Delta, picocli or Typesafe Config, which the job jar must bring.
 */
final class SparkClasspath {
  private SparkClasspath() {}

  static List<String> entries() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar"))
        .filter(
            entry ->
                !entry.contains("dsmigrate")
                    && !entry.contains(File.separator + "target" + File.separator))
        .filter(
            entry ->
                !entry.contains("delta-")
                    && !entry.contains("unitycatalog")
                    && !entry.contains("picocli"))
        .filter(
            entry ->
                !entry.contains(
                    File.separator + "com" + File.separator + "typesafe" + File.separator))
        .toList();
  }

  static String joined() {
    return String.join(File.pathSeparator, entries());
  }
}
